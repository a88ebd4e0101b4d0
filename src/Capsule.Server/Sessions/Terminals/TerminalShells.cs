namespace Capsule.Server.Sessions.Terminals;

/// <summary>
/// The shells a PTY may run: the guest agent's list (src/Capsule.Agent/Pty/ShellChoice.cs); checked here too so that a
/// wrong one is a 422 rather than a guest refusal. The agent also checks that the file exists.
/// </summary>
internal static class TerminalShells
{
    public const string Default = "/bin/bash";

    public static readonly IReadOnlyList<string> Allowed =
    [
        "/bin/bash", "/usr/bin/bash", "/bin/sh", "/usr/bin/sh", "/bin/dash", "/usr/bin/dash",
        "/bin/zsh", "/usr/bin/zsh", "/bin/fish", "/usr/bin/fish",
    ];

    /// <summary>The widest and tallest terminal (the agent's limit too).</summary>
    public const int MaxDimension = 1000;
}
