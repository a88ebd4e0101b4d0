namespace Capsule.Client;

/// <summary>What a session has used.</summary>
public sealed record SessionUsage
{
    /// <summary>The session id.</summary>
    public required string SessionId { get; init; }

    /// <summary>CPU time used by its executions.</summary>
    public required TimeSpan CpuTime { get; init; }

    /// <summary>Guest memory in MB.</summary>
    public required int MemoryMb { get; init; }

    /// <summary>Guest memory in use now, in MB, when a VM runs.</summary>
    public double? MemoryUsedMb { get; init; }

    /// <summary>How many executions ran.</summary>
    public required int ExecutionsCount { get; init; }

    /// <summary>How long the current VM has run, when one runs.</summary>
    public TimeSpan? Uptime { get; init; }

    /// <summary>The VM's state, as in <see cref="SessionStatus.VmStatus"/>.</summary>
    public string? VmStatus { get; init; }
}
