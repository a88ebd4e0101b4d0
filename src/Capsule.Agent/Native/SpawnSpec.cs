namespace Capsule.Agent.Native;

/// <summary>
/// What to run. <see cref="Fds"/> maps child fd numbers to agent fds (0, 1, 2 and any extra, e.g. the
/// python kernel's pipes on 3 and 4); every other fd is closed in the child. The child always gets
/// its own session (setsid), default signal dispositions and an empty signal mask.
/// </summary>
internal sealed record SpawnSpec
{
    public required string Path { get; init; }
    public required IReadOnlyList<string> Argv { get; init; }
    public required IReadOnlyList<string> Env { get; init; }
    public required IReadOnlyDictionary<int, int> Fds { get; init; }
    public string? WorkingDirectory { get; init; }

    /// <summary>
    /// A terminal (a pty slave's path) to open as fd 0 after setsid and before the dup2s of <see cref="Fds"/>. Opened
    /// without O_NOCTTY by a session leader that has no controlling terminal, it becomes the child's controlling
    /// terminal (Linux tty_open; open(2) O_NOCTTY), with the child's process group in the foreground.
    /// </summary>
    public string? TerminalPath { get; init; }
}
