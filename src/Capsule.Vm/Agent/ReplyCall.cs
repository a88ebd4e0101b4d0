using Capsule.Agent.Protocol;

namespace Capsule.Vm.Agent;

/// <summary>A request answered by exactly one frame: <paramref name="replyKind"/> (ok, stats_result) or error.</summary>
internal sealed class ReplyCall(string requestKind, string replyKind) : PendingCall
{
    private readonly TaskCompletionSource<AgentMessage> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The reply: of the expected kind or an error, never another kind (the reader loop ends the connection first).</summary>
    public Task<AgentMessage> Reply => _reply.Task;

    public override string RequestKind => requestKind;

    public override bool Accepts(string kind) => kind == replyKind || kind == MessageKind.Error;

    public override ValueTask<bool> OnFrameAsync(Frame frame, CancellationToken cancellationToken)
    {
        _reply.TrySetResult(frame.Header);
        return ValueTask.FromResult(true);
    }

    public override void Fail(Exception exception) => _reply.TrySetException(exception);
}
