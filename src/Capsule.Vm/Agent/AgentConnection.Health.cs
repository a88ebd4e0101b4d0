using System.Security.Cryptography;
using Capsule.Agent.Protocol;

namespace Capsule.Vm.Agent;

internal sealed partial class AgentConnection
{
    /// <summary>How often <see cref="ProbeAsync"/> looks whether its pong came.</summary>
    private static readonly TimeSpan ProbeStep = TimeSpan.FromMilliseconds(100);

    private readonly Lock _probeGate = new();
    private string? _probeNonce;
    private TaskCompletionSource? _probePong;
    private long _lastFrameTimestamp;
    private bool _delivering;

    /// <summary>How long since the agent last sent a frame.</summary>
    public TimeSpan Silence => _time.GetElapsedTime(Volatile.Read(ref _lastFrameTimestamp));

    /// <summary>
    /// Sends <c>ping {id:0, nonce}</c> with a fresh nonce and waits for the <c>pong</c> that echoes it. Returns false
    /// if <paramref name="timeout"/> passes without it, counting only time in which the reader was free to read it
    /// (not time in which a slow consumer of the host's own, such as a download, held the reader up).
    /// Throws <see cref="MachineException"/> (MachineGone) if the connection is closed.
    /// </summary>
    public async Task<bool> ProbeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var pong = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_probeGate)
            (_probeNonce, _probePong) = (nonce, pong);
        try
        {
            await SendAsync(new Frame(new AgentMessage { Kind = MessageKind.Ping, Id = 0, Nonce = nonce }), cancellationToken).ConfigureAwait(false);
            var unanswered = TimeSpan.Zero;
            var last = _time.GetTimestamp();
            while (true)
            {
                await Task.WhenAny(pong.Task, _closed.Task, Task.Delay(ProbeStep, _time, cancellationToken)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                if (pong.Task.IsCompleted)
                    return true;
                if (ClosedReasonOrNull() is { } reason)
                    throw Gone(reason, null);
                var now = _time.GetTimestamp();
                if (!Volatile.Read(ref _delivering))
                    unanswered += _time.GetElapsedTime(last, now);
                last = now;
                if (unanswered >= timeout)
                    return false;
            }
        }
        finally
        {
            lock (_probeGate)
            {
                if (ReferenceEquals(_probePong, pong))
                    (_probeNonce, _probePong) = (null, null);
            }
        }
    }

    /// <summary>Ends the connection for <paramref name="reason"/> (the health probe gave up on the agent); runs once.</summary>
    public void Fail(string reason) => Break(reason, null);

    private void OnFrameRead() => Volatile.Write(ref _lastFrameTimestamp, _time.GetTimestamp());

    /// <summary>A pong outside the handshake: it answers the probe if it echoes the probe's nonce, else it is stale.</summary>
    private void OnPong(string? nonce)
    {
        TaskCompletionSource? pong = null;
        lock (_probeGate)
        {
            if (_probeNonce is not null && nonce == _probeNonce)
                pong = _probePong;
        }
        pong?.TrySetResult();
    }
}
