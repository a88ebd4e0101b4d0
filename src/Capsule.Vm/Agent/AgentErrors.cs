using Capsule.Agent.Protocol;

namespace Capsule.Vm.Agent;

/// <summary>Turns the agent's <c>error</c> frames into exceptions. Guest text in them is clipped (<see cref="GuestText"/>).</summary>
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

    /// <summary>An error for a request the host built itself: the host and agent disagree on the contract, a bug.</summary>
    public static InvalidOperationException ForRequest(AgentMessage error, string kind) =>
        new($"The agent rejected {kind} {error.Id}: {GuestText.Clip(error.ErrorCode, 64)}: {GuestText.Clip(error.Message)}");

    /// <summary>Throws unless <paramref name="reply"/> is of <paramref name="expectedKind"/>.</summary>
    public static AgentMessage Expect(AgentMessage reply, string expectedKind, string requestKind)
    {
        if (reply.Kind == MessageKind.Error)
            throw ForRequest(reply, requestKind);
        if (reply.Kind != expectedKind)
            throw new InvalidOperationException($"The agent answered {requestKind} {reply.Id} with {reply.Kind}, expected {expectedKind}.");
        return reply;
    }
}
