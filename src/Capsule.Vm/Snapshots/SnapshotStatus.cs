namespace Capsule.Vm.Snapshots;

/// <summary>Which snapshots of the current key exist (<see cref="Ready"/>) and which would be built on first use.</summary>
internal sealed record SnapshotStatus(string Key, string KeyDirectory, IReadOnlyList<int> Ready, IReadOnlyList<int> Missing);
