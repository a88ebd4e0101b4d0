namespace Capsule.Client;

/// <summary>The shape of a new session; every value left null takes the server's default.</summary>
public sealed record SessionOptions
{
    /// <summary>How long the VM lives once spawned, 20 s to 24 h (server default 300 s). Sent in whole seconds, rounded up.</summary>
    public TimeSpan? Lifetime { get; init; }

    /// <summary>Guest memory in MB: even, 128 to 8192 (server default 512).</summary>
    public int? MemoryMb { get; init; }

    /// <summary>Virtual CPUs: 1, 2, 4, 6 or 8 (server default 2).</summary>
    public int? VcpuCount { get; init; }

    /// <summary>Free key-values to find the session again with <see cref="CapsuleClient.ListAsync"/>.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Env vars for every execution in the session. When given, the server boots the VM before answering.</summary>
    public IReadOnlyDictionary<string, string>? Env { get; init; }
}
