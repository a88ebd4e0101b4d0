using Capsule.Agent.Protocol;

namespace Capsule.Vm.Agent;

/// <summary>A request waiting for the agent's frames with its id. Only the connection's reader loop calls these.</summary>
internal abstract class PendingCall
{
    /// <summary>The kind of the request this call waits on (for the reason when the agent answers it wrongly).</summary>
    public abstract string RequestKind { get; }

    /// <summary>
    /// Whether a frame of <paramref name="kind"/> may answer this request. Any other kind is a protocol violation that
    /// ends the connection, as a malformed frame does.
    /// </summary>
    public abstract bool Accepts(string kind);

    /// <summary>Handles one frame for this call; returns true when it was the last one.</summary>
    public abstract ValueTask<bool> OnFrameAsync(Frame frame, CancellationToken cancellationToken);

    /// <summary>The connection broke: the call ends with <paramref name="exception"/>.</summary>
    public abstract void Fail(Exception exception);
}
