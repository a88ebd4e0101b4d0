using System.Text.Json.Serialization;

namespace Capsule.Agent.Protocol;

/// <summary>
/// The header of every frame. One flat shape for all kinds keeps the wire format AOT-friendly;
/// <see cref="MessageKind"/> says which fields each kind uses (see docs/agent-protocol.md).
/// A reply carries the <see cref="Id"/> of the request it answers.
/// </summary>
internal sealed record AgentMessage
{
    public required string Kind { get; init; }
    public long Id { get; init; }

    // ping / pong
    public string? Nonce { get; init; }
    public string? Version { get; init; }

    // set_env
    public Dictionary<string, string>? Env { get; init; }

    // exec
    public string? Language { get; init; }
    public string? Code { get; init; }
    public int? TimeoutMs { get; init; }
    /// <summary>Per-stream cap on the output the agent forwards; absent or ≤ 0: no cap. The rest is read and dropped.</summary>
    public long? OutputLimitBytes { get; init; }

    // cancel
    public long? TargetId { get; init; }

    // output
    public string? Stream { get; init; }

    // exit
    public int? ExitCode { get; init; }
    public bool? TimedOut { get; init; }
    public double? WallMs { get; init; }
    public double? CpuMs { get; init; }
    /// <summary>True when output beyond <see cref="OutputLimitBytes"/> was dropped; absent means false.</summary>
    public bool? Truncated { get; init; }
    /// <summary>True when the guest's OOM killer killed a process of this exec; absent means false.</summary>
    public bool? OomKilled { get; init; }

    // write_file / read_file / file_end
    public string? Path { get; init; }
    public int? Mode { get; init; }
    public long? Size { get; init; }

    // pty_open / pty_resize
    public int? Cols { get; init; }
    public int? Rows { get; init; }
    /// <summary>pty_open: the shell's absolute path; absent means /bin/bash.</summary>
    public string? Shell { get; init; }
    /// <summary>pty_open: the first output window; pty_credit: bytes the host has consumed and grants again.</summary>
    public long? CreditBytes { get; init; }

    // error
    public string? ErrorCode { get; init; }
    public string? Message { get; init; }

    // stats_result
    public GuestStats? Stats { get; init; }
}

/// <summary>What the guest reports about itself (from /proc).</summary>
internal sealed record GuestStats
{
    public long MemTotalKb { get; init; }
    public long MemAvailableKb { get; init; }
    public double CpuUserMs { get; init; }
    public double CpuSystemMs { get; init; }
    public double UptimeS { get; init; }
    public int Processes { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AgentMessage))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;
