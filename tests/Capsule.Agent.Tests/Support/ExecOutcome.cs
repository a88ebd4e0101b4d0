namespace Capsule.Agent.Tests.Support;

/// <summary>What one exec produced: both streams in full and the exit frame's fields.</summary>
internal sealed record ExecOutcome(string Stdout, string Stderr, int ExitCode, bool TimedOut, double WallMs, double CpuMs)
{
    /// <summary>The exit frame's <c>truncated</c>.</summary>
    public bool Truncated { get; init; }

    /// <summary>The exit frame's <c>oom_killed</c>.</summary>
    public bool OomKilled { get; init; }

    /// <summary>Output bytes received per stream (the strings may hold replacement characters).</summary>
    public long StdoutBytes { get; init; }

    public long StderrBytes { get; init; }

    public override string ToString() =>
        $"exit {ExitCode} timed_out {TimedOut} truncated {Truncated} oom_killed {OomKilled}\nstdout: {Stdout}\nstderr: {Stderr}";
}
