namespace Capsule.Client;

/// <summary>What a new PTY asks for: its window size and shell.</summary>
public sealed record PtyOptions
{
    /// <summary>Width in columns, 1 to 1000.</summary>
    public int Cols { get; init; } = 80;

    /// <summary>Height in rows, 1 to 1000.</summary>
    public int Rows { get; init; } = 24;

    /// <summary>The shell's absolute path (<c>/bin/bash</c>, <c>/bin/sh</c>, <c>/bin/zsh</c>, …); null for the server's default, <c>/bin/bash</c>.</summary>
    public string? Shell { get; init; }
}
