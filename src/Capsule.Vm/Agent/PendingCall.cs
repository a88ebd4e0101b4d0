using Capsule.Agent.Protocol;

namespace Capsule.Vm.Agent;

/// <summary>A request waiting for the agent's frames with its id. Only the connection's reader loop calls these.</summary>
internal abstract class PendingCall
{
    /// <summary>Handles one frame for this call; returns true when it was the last one.</summary>
    public abstract ValueTask<bool> OnFrameAsync(Frame frame, CancellationToken cancellationToken);

    /// <summary>The connection broke: the call ends with <paramref name="exception"/>.</summary>
    public abstract void Fail(Exception exception);
}
