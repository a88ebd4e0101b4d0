namespace Capsule.Vm;

/// <summary>One piece of code to run in the guest.</summary>
public sealed record ExecRequest
{
    public required ExecLanguageKind Language { get; init; }
    public required string Code { get; init; }
    public required TimeSpan Timeout { get; init; }
    /// <summary>Per-stream cap on the output kept in <see cref="ExecResult"/>; the rest is dropped and flagged.</summary>
    public int OutputLimitBytes { get; init; } = 10 * 1024 * 1024;
}

public enum ExecLanguageKind
{
    Python,
    Bash,
    /// <summary>Python if the code compiles as Python, otherwise bash; decided in the guest.</summary>
    Auto,
}
