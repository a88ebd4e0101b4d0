using System.Text;
using System.Threading.Channels;
using Capsule.Agent.Protocol;

namespace Capsule.Agent.Tests.Support;

/// <summary>One agent PTY seen from a test host: everything it printed so far, its exit, and the frames to drive it.</summary>
internal sealed class TestPty(AgentClient client, long id, ChannelReader<Frame> frames)
{
    private readonly StringBuilder _screen = new();

    public long Id => id;

    public int? ExitCode { get; private set; }

    /// <summary>Bytes of output received so far.</summary>
    public long ReceivedBytes { get; private set; }

    public string Screen => _screen.ToString();

    public Task WriteAsync(string text) =>
        client.SendAsync(new AgentMessage { Kind = MessageKind.PtyInput, Id = id }, Encoding.UTF8.GetBytes(text));

    public Task ResizeAsync(int cols, int rows) =>
        client.SendAsync(new AgentMessage { Kind = MessageKind.PtyResize, Id = id, Cols = cols, Rows = rows });

    public Task GrantAsync(long bytes) =>
        client.SendAsync(new AgentMessage { Kind = MessageKind.PtyCredit, Id = id, CreditBytes = bytes });

    public Task CloseAsync() => client.SendAsync(new AgentMessage { Kind = MessageKind.PtyClose, Id = id });

    /// <summary>Reads output (granting credit back when <paramref name="grant"/>) until the screen holds <paramref name="text"/>.</summary>
    public async Task WaitForAsync(string text, bool grant = true)
    {
        while (!Screen.Contains(text, StringComparison.Ordinal))
        {
            if (ExitCode is not null)
                throw new InvalidOperationException($"PTY {id} exited ({ExitCode}) before printing '{text}'; screen: {Screen}");
            await ReadOneAsync(grant);
        }
    }

    /// <summary>Reads output until the screen matches <paramref name="pattern"/>; returns the match.</summary>
    public async Task<System.Text.RegularExpressions.Match> WaitForMatchAsync(string pattern)
    {
        while (true)
        {
            var match = System.Text.RegularExpressions.Regex.Match(Screen, pattern);
            if (match.Success)
                return match;
            if (ExitCode is not null)
                throw new InvalidOperationException($"PTY {id} exited ({ExitCode}) before printing /{pattern}/; screen: {Screen}");
            await ReadOneAsync(grant: true);
        }
    }

    /// <summary>Reads until pty_exit; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        while (ExitCode is null)
            await ReadOneAsync(grant: true);
        return ExitCode.Value;
    }

    /// <summary>Reads one frame if one comes within <paramref name="limit"/>; false if none came.</summary>
    public async Task<bool> TryReadOneAsync(TimeSpan limit, bool grant)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestTimeouts.Token);
        timeout.CancelAfter(limit);
        try
        {
            await frames.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!TestTimeouts.Token.IsCancellationRequested)
        {
            return false;
        }
        await ReadOneAsync(grant);
        return true;
    }

    private async Task ReadOneAsync(bool grant)
    {
        var frame = await frames.ReadAsync(TestTimeouts.Token).AsTask().Bounded();
        switch (frame.Header.Kind)
        {
            case MessageKind.PtyOutput:
                ReceivedBytes += frame.Payload.Length;
                _screen.Append(Encoding.UTF8.GetString(frame.Payload.Span));
                if (grant)
                    await GrantAsync(frame.Payload.Length);
                break;
            case MessageKind.PtyExit:
                ExitCode = frame.Header.ExitCode;
                break;
            default:
                throw new InvalidOperationException($"Unexpected {frame.Header.Kind} for PTY {id}: {frame.Header.ErrorCode} {frame.Header.Message}");
        }
    }
}
