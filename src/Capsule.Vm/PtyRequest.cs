namespace Capsule.Vm;

/// <summary>A shell to start on a pseudo terminal in the guest.</summary>
public sealed record PtyRequest
{
    /// <summary>The terminal's width in columns (1 to 1000).</summary>
    public required int Cols { get; init; }

    /// <summary>The terminal's height in rows (1 to 1000).</summary>
    public required int Rows { get; init; }

    /// <summary>The shell's absolute path (the guest allows a fixed list); null means /bin/bash. It runs as a login shell.</summary>
    public string? Shell { get; init; }
}
