namespace Capsule.Agent.Tests.Support;

/// <summary>What one exec produced: both streams in full and the exit frame's fields.</summary>
internal sealed record ExecOutcome(string Stdout, string Stderr, int ExitCode, bool TimedOut, double WallMs, double CpuMs)
{
    public override string ToString() =>
        $"exit {ExitCode} timed_out {TimedOut}\nstdout: {Stdout}\nstderr: {Stderr}";
}
