namespace Capsule.Server.Sessions.Runs;

/// <summary>One piece of code to run in a session, in the control plane's terms (Sessions turns it into the VM's).</summary>
internal sealed record CodeRun
{
    public required CodeLanguage Language { get; init; }
    public required string Code { get; init; }
    public required TimeSpan Timeout { get; init; }
    /// <summary>Per-stream cap on the output kept in the result; the rest is dropped and flagged.</summary>
    public int OutputLimitBytes { get; init; } = 10 * 1024 * 1024;
}

internal enum CodeLanguage
{
    Python,
    Bash,
    /// <summary>Python if the code compiles as Python, otherwise bash; decided in the guest.</summary>
    Auto,
}
