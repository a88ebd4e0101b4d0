using Capsule.Agent.Protocol;
using Capsule.Vm.Agent;
using Capsule.Vm.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capsule.Vm.Tests.Agent;

/// <summary>A <see cref="FakeAgent"/> on a fresh socket, and a way to get a connected pair.</summary>
public abstract class AgentTestBase : IDisposable
{
    private readonly TempDirectory _temp = new();

    private protected AgentTestBase()
    {
        Agent = new FakeAgent(_temp.File("agent.sock"));
    }

    private protected FakeAgent Agent { get; }

    private protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    private protected static ExecRequest Python(string code, int outputLimitBytes = 10 * 1024 * 1024) => new()
    {
        Language = ExecLanguageKind.Python,
        Code = code,
        Timeout = TimeSpan.FromSeconds(30),
        OutputLimitBytes = outputLimitBytes,
    };

    /// <summary>Connects an <see cref="AgentConnection"/> to the fake and answers its handshake.</summary>
    /// <param name="time">The connection's clock; the system clock if null.</param>
    private protected async Task<Pair> ConnectAsync(TimeProvider? time = null)
    {
        var connect = AgentConnection.ConnectAsync(Agent.SocketPath, "vm-test", NullLogger.Instance, time ?? TimeProvider.System, Ct);
        var peer = await Agent.AcceptAsync(Ct).Bounded();
        await peer.AnswerHandshakeAsync("test", Ct).Bounded();
        return new Pair(await connect.Bounded(), peer);
    }

    private protected static Task SendOutputAsync(FakeAgent.Peer peer, long id, string stream, byte[] bytes) =>
        peer.SendAsync(new AgentMessage { Kind = MessageKind.Output, Id = id, Stream = stream }, bytes, Ct);

    public void Dispose()
    {
        Agent.Dispose();
        _temp.Dispose();
        GC.SuppressFinalize(this);
    }

    private protected sealed record Pair(AgentConnection Connection, FakeAgent.Peer Peer) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Connection.DisposeAsync();
            Peer.Dispose();
        }
    }
}
