using Capsule.Agent.Protocol;

namespace Capsule.Vm.Agent;

/// <summary>
/// What the host accepts from the guest agent beyond a well-formed frame: only the kinds an agent sends, and a payload
/// only on <c>output</c>, <c>file_data</c> and <c>pty_output</c>. Anything else is a protocol violation that ends the connection.
/// A frame for an id with no pending call is not a violation (the late output of a call whose caller gave up looks
/// exactly like that); it is dropped and counted.
/// </summary>
internal static class GuestFrameRules
{
    private static readonly HashSet<string> AgentKinds =
    [
        MessageKind.Pong, MessageKind.Ok, MessageKind.Output, MessageKind.Exit, MessageKind.StatsResult, MessageKind.Error,
        MessageKind.FileData, MessageKind.FileEnd, MessageKind.PtyOutput, MessageKind.PtyExit,
    ];

    /// <summary>Null if <paramref name="frame"/> may come from an agent, else what is wrong with it (object of "sent").</summary>
    public static string? Violation(Frame frame)
    {
        var kind = frame.Header.Kind;
        if (!AgentKinds.Contains(kind))
            return $"a frame of kind \"{GuestText.Clip(kind, 32)}\", which an agent never sends";
        if (!frame.Payload.IsEmpty && kind is not (MessageKind.Output or MessageKind.FileData or MessageKind.PtyOutput))
            return $"a frame of kind {kind} with a payload of {frame.Payload.Length} bytes (only output, file_data and pty_output carry one)";
        return null;
    }
}
