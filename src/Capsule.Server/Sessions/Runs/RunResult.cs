namespace Capsule.Server.Sessions.Runs;

/// <summary>What a run produced. A non-zero exit code or a timeout is an outcome, not an error.</summary>
internal sealed record RunResult
{
    public required string Stdout { get; init; }
    public required string Stderr { get; init; }
    public required int ExitCode { get; init; }
    public required bool TimedOut { get; init; }
    /// <summary>True when output beyond <see cref="CodeRun.OutputLimitBytes"/> was dropped.</summary>
    public required bool OutputTruncated { get; init; }
    /// <summary>True when the guest's OOM killer killed a process of this run.</summary>
    public required bool OomKilled { get; init; }
    public required TimeSpan WallTime { get; init; }
    public required TimeSpan CpuTime { get; init; }
}

/// <summary>A piece of a run's output, in the order the guest produced it on its stream.</summary>
internal sealed record RunOutput(RunStream Stream, string Text);

internal enum RunStream
{
    Stdout,
    Stderr,
}

/// <summary>The guest's counters at one moment, for usage.</summary>
internal sealed record GuestUsage(long MemTotalMb, long MemUsedMb, TimeSpan CpuTime, TimeSpan Uptime)
{
    /// <summary>Bytes delivered to the guest by its network since the VM started (0 without a network slot).</summary>
    public long NetworkRxBytes { get; init; }
    /// <summary>Bytes the guest sent that its egress policy let through.</summary>
    public long NetworkTxBytes { get; init; }
    /// <summary>Connections and lookups the egress policy refused.</summary>
    public long NetworkDenied { get; init; }
}
