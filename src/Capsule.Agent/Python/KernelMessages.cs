using System.Text.Json.Serialization;

namespace Capsule.Agent.Python;

/// <summary>A record on the kernel's request pipe (fd 3); see kernel.py for the exchange.</summary>
internal sealed record KernelRequest
{
    public const string ExecOp = "exec";
    public const string EnvOp = "env";
    /// <summary>Reap the interpreter's dead children (after the agent killed them: zombies hold the process limit).</summary>
    public const string ReapOp = "reap";

    public required string Op { get; init; }
    public string? Code { get; init; }
    public bool? Auto { get; init; }
    public Dictionary<string, string>? Env { get; init; }
}

/// <summary>A record on the kernel's reply pipe (fd 4).</summary>
internal sealed record KernelReply
{
    public int? ExitCode { get; init; }
    public double? CpuMs { get; init; }
    public bool? NotPython { get; init; }
    public bool? Ok { get; init; }
    public string? Error { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(KernelRequest))]
[JsonSerializable(typeof(KernelReply))]
internal sealed partial class KernelJsonContext : JsonSerializerContext;
