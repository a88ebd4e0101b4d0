using System.Text.Json.Serialization;

namespace Capsule.Vm.Snapshots;

/// <summary>meta.json of a snapshot: what it was built from (the key and its parts), when, and how big it is.</summary>
internal sealed record SnapshotMeta
{
    public required string Key { get; init; }
    public required string ImageKey { get; init; }
    public required int VcpuCount { get; init; }
    public required int BaseMemoryMb { get; init; }
    public required int HotplugMemoryMb { get; init; }
    public required string Accelerator { get; init; }
    public required int TcgTbSizeMb { get; init; }
    public required string QemuVersion { get; init; }
    public required string KernelCommandLine { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required double BuildSeconds { get; init; }
    public required double AgentReadySeconds { get; init; }
    /// <summary>Bytes the RAM file occupies (it is sparse: pages the guest never touched take no space).</summary>
    public required long RamFileBytes { get; init; }
    public required long StateBytes { get; init; }
    public required long DiskBytes { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(SnapshotMeta))]
internal sealed partial class SnapshotJsonContext : JsonSerializerContext;
