using Capsule.Agent.Protocol;

namespace Capsule.Vm.Agent;

/// <summary>A request answered by exactly one frame (ok, stats_result, error).</summary>
internal sealed class ReplyCall : PendingCall
{
    private readonly TaskCompletionSource<AgentMessage> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<AgentMessage> Reply => _reply.Task;

    public override ValueTask<bool> OnFrameAsync(Frame frame, CancellationToken cancellationToken)
    {
        _reply.TrySetResult(frame.Header);
        return ValueTask.FromResult(true);
    }

    public override void Fail(Exception exception) => _reply.TrySetException(exception);
}
