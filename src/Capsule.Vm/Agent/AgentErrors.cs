using Capsule.Agent.Protocol;

namespace Capsule.Vm.Agent;

/// <summary>
/// Turns the agent's <c>error</c> frames into <see cref="MachineException"/>s: guest behaviour is never a host bug.
/// Guest text in them is clipped (<see cref="GuestText"/>).
/// </summary>
internal static class AgentErrors
{
    /// <summary>An error about a guest path: the caller's problem, so a <see cref="MachineException"/> with a code.</summary>
    public static MachineException ForFile(AgentMessage error, string path)
    {
        var code = error.ErrorCode switch
        {
            AgentErrorCode.NotFound => MachineErrorCode.FileNotFound,
            AgentErrorCode.IsDirectory => MachineErrorCode.IsDirectory,
            // bad_request (relative path), io (permissions, disk full) and anything newer: the path cannot be used.
            _ => MachineErrorCode.InvalidPath,
        };
        return new MachineException(code, $"Guest path {path}: {GuestText.Clip(error.Message ?? error.ErrorCode)}");
    }

    /// <summary>
    /// The agent refused a request the host built itself (it could not read its counters, set the env, start a
    /// process): <see cref="MachineErrorCode.GuestError"/>. The machine stays up; the caller decides what it means.
    /// </summary>
    public static MachineException ForRequest(AgentMessage error, string kind) =>
        new(MachineErrorCode.GuestError,
            $"The guest agent could not do {kind}: {GuestText.Clip(error.ErrorCode, 64)}: {GuestText.Clip(error.Message)}");

    /// <summary>
    /// The reply itself, unless it is an <c>error</c>. A reply of another kind never gets here: the reader loop treats it
    /// as a protocol violation (<see cref="PendingCall.Accepts"/>).
    /// </summary>
    public static AgentMessage ThrowIfError(AgentMessage reply, string requestKind) =>
        reply.Kind == MessageKind.Error ? throw ForRequest(reply, requestKind) : reply;
}
