using Capsule.Agent.Protocol;

namespace Capsule.Vm.Agent;

internal sealed partial class AgentConnection
{
    /// <summary><c>set_env {env}</c> -> <c>ok</c>: merged into the env of every later exec.</summary>
    public async Task SetEnvAsync(IReadOnlyDictionary<string, string> env, CancellationToken cancellationToken)
    {
        var call = new ReplyCall(MessageKind.SetEnv, MessageKind.Ok);
        var id = Register(call);
        try
        {
            var message = new AgentMessage { Kind = MessageKind.SetEnv, Id = id, Env = new Dictionary<string, string>(env) };
            await SendAsync(new Frame(message), cancellationToken).ConfigureAwait(false);
            AgentErrors.ThrowIfError(await call.Reply.WaitAsync(cancellationToken).ConfigureAwait(false), MessageKind.SetEnv);
        }
        finally
        {
            Unregister(id);
        }
    }

    /// <summary><c>stats</c> -> <c>stats_result</c>, converted to host units.</summary>
    public async Task<MachineStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        var call = new ReplyCall(MessageKind.Stats, MessageKind.StatsResult);
        var id = Register(call);
        try
        {
            await SendAsync(new Frame(new AgentMessage { Kind = MessageKind.Stats, Id = id }), cancellationToken).ConfigureAwait(false);
            var reply = AgentErrors.ThrowIfError(await call.Reply.WaitAsync(cancellationToken).ConfigureAwait(false), MessageKind.Stats);
            var stats = reply.Stats
                ?? throw new MachineException(MachineErrorCode.GuestError, "The guest agent answered stats without its counters.");
            return new MachineStats
            {
                MemTotalMb = stats.MemTotalKb / 1024,
                MemUsedMb = (stats.MemTotalKb - stats.MemAvailableKb) / 1024,
                CpuTime = TimeSpan.FromMilliseconds(stats.CpuUserMs + stats.CpuSystemMs),
                Uptime = TimeSpan.FromSeconds(stats.UptimeS),
            };
        }
        finally
        {
            Unregister(id);
        }
    }
}
