namespace Capsule.Vm.Snapshots;

/// <summary>A complete snapshot on disk: its files and what meta.json says about it.</summary>
internal sealed record Snapshot(SnapshotFiles Files, SnapshotMeta Meta);
