namespace Capsule.Client;

/// <summary>A shell on a pseudo terminal in a session's VM, as the server reports it.</summary>
public sealed record PtyInfo
{
    /// <summary>The PTY's id (e.g. <c>pty-3f2a9c1d0b7e4a56</c>).</summary>
    public required string PtyId { get; init; }

    /// <summary>The session it runs in.</summary>
    public required string SessionId { get; init; }

    /// <summary>Width in columns.</summary>
    public required int Cols { get; init; }

    /// <summary>Height in rows.</summary>
    public required int Rows { get; init; }

    /// <summary>The shell's path.</summary>
    public required string Shell { get; init; }

    /// <summary>Whether the shell still runs (the server's <c>status</c> is <c>running</c>).</summary>
    public required bool IsRunning { get; init; }

    /// <summary>The shell's exit status once it has ended; null while it runs or when its VM went away.</summary>
    public int? ExitCode { get; init; }

    /// <summary>Whether a WebSocket is attached now.</summary>
    public required bool Attached { get; init; }

    /// <summary>When it was started.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset? EndedAt { get; init; }
}
