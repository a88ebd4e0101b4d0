namespace Capsule.Client;

/// <summary>The end of a streamed execution: always its last event.</summary>
public sealed record ExecutionExit : ExecutionEvent
{
    /// <summary>The exit code, as in <see cref="ExecutionResult.ExitCode"/>.</summary>
    public required int ExitCode { get; init; }

    /// <summary>True when the execution hit its timeout and was killed.</summary>
    public required bool TimedOut { get; init; }

    /// <summary>Wall-clock time the execution took in the guest.</summary>
    public required TimeSpan ExecutionTime { get; init; }

    /// <summary>CPU time the execution used in the guest.</summary>
    public required TimeSpan CpuTime { get; init; }
}
