namespace Capsule.Vm;

/// <summary>What an execution produced. A non-zero exit code or a timeout is an outcome, not an error.</summary>
public sealed record ExecResult
{
    public required string Stdout { get; init; }
    public required string Stderr { get; init; }
    public required int ExitCode { get; init; }
    public required bool TimedOut { get; init; }
    /// <summary>True when output beyond <see cref="ExecRequest.OutputLimitBytes"/> was dropped.</summary>
    public bool OutputTruncated { get; init; }
    /// <summary>True when the guest's OOM killer killed a process of this execution.</summary>
    public bool OomKilled { get; init; }
    public required TimeSpan WallTime { get; init; }
    public required TimeSpan CpuTime { get; init; }
}

/// <summary>A piece of output, in the order the guest produced it on its stream.</summary>
public sealed record OutputChunk(OutputStreamKind Stream, string Text);

public enum OutputStreamKind
{
    Stdout,
    Stderr,
}
