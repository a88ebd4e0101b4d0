namespace Capsule.Mcp;

/// <summary>
/// A refusal a model can act on (unknown sandbox, expired VM, quota, bad argument). Its message is one sentence,
/// returned as the text of a tool result with <c>isError: true</c>; it never carries secrets or host detail.
/// </summary>
internal sealed class SandboxToolException(string message) : Exception(message);
