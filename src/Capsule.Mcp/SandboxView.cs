namespace Capsule.Mcp;

/// <summary>A sandbox as the tools show it.</summary>
internal sealed record SandboxView
{
    public required string Id { get; init; }

    /// <summary><c>created</c> (no VM yet), <c>active</c>, or why its VM ended (<c>killed</c>, <c>expired</c>, <c>crashed</c>, ...).</summary>
    public required string Status { get; init; }

    /// <summary>Null where the source does not say (the HTTP API's list shows no memory or lifetime).</summary>
    public int? VcpuCount { get; init; }
    public int? MemoryMb { get; init; }
    public int? LifetimeSeconds { get; init; }

    /// <summary>When the running VM will be destroyed; null when none runs.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>True once its VM has ended (killed, expired, crashed...): its state is gone.</summary>
    public bool Ended => Status is not ("created" or "active");
}

/// <summary>What <c>create_sandbox</c> asks for; null fields take the server's defaults.</summary>
internal sealed record SandboxShape
{
    public int? LifetimeSeconds { get; init; }
    public int? VcpuCount { get; init; }
    public int? MemoryMb { get; init; }
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    public IReadOnlyDictionary<string, string>? Env { get; init; }
}

/// <summary>One <c>run_code</c> call.</summary>
/// <param name="Language"><c>python</c> or <c>bash</c>.</param>
internal sealed record CodeRequest(string Code, string Language, int TimeoutSeconds);

/// <summary>A piece of output, in the order the guest produced it on its stream.</summary>
internal sealed record CodeOutput(bool IsStderr, string Text);

/// <summary>What a run produced; a non-zero exit or a timeout is an outcome, not a refusal.</summary>
internal sealed record CodeOutcome
{
    public required string Stdout { get; init; }
    public required string Stderr { get; init; }
    public required int ExitCode { get; init; }
    public required bool TimedOut { get; init; }
    public bool Truncated { get; init; }
    public bool OomKilled { get; init; }
    public required TimeSpan WallTime { get; init; }
}
