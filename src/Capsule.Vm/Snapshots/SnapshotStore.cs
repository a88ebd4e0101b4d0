using System.Text.Json;
using Capsule.Vm.Machines;
using Capsule.Vm.Qemu;
using Microsoft.Extensions.Logging;

namespace Capsule.Vm.Snapshots;

/// <summary>
/// Finds and builds snapshots under <see cref="VmOptions.SnapshotDirectory"/>: <c>&lt;dir&gt;/&lt;key&gt;/snap&lt;N&gt;</c>.
/// A snapshot is usable when its meta.json names the current key and its files exist. A missing or stale one is
/// built under a per-snapshot file lock (other servers and the snapshot command respect it); after a build the
/// folders of other keys are deleted unless someone holds one of their locks: a build lock, or the in-use lock every
/// store that hands out a key's snapshots holds (shared) until it is disposed, so a build of a new key never deletes the
/// snapshots another server is still restoring from. Running machines keep their mapped files.
/// </summary>
internal sealed partial class SnapshotStore : IDisposable
{
    private readonly VmOptions _options;
    private readonly string _accelerator;
    private readonly SnapshotBuilder _builder;
    private readonly ILogger _logger;
    private readonly Dictionary<int, SemaphoreSlim> _buildGates = VmOptions.VcpuCounts.ToDictionary(v => v, _ => new SemaphoreSlim(1, 1));
    private readonly Lazy<Task<string>> _qemuVersion;
    private readonly Lazy<Task> _machineTypeOffered;
    private readonly Dictionary<string, FileStream> _inUse = new(StringComparer.Ordinal);

    public SnapshotStore(VmOptions options, string accelerator, ILoggerFactory loggerFactory)
    {
        _options = options;
        _accelerator = accelerator;
        _builder = new SnapshotBuilder(options, loggerFactory);
        _logger = loggerFactory.CreateLogger<SnapshotStore>();
        _qemuVersion = new Lazy<Task<string>>(() => QemuVersion.ReadAsync(options.QemuBinary, CancellationToken.None));
        _machineTypeOffered = new Lazy<Task>(() => QemuMachineTypes.EnsureOfferedAsync(options.QemuBinary, options.MachineType, CancellationToken.None));
    }

    public string Directory => Path.GetFullPath(_options.SnapshotDirectory);

    /// <summary>
    /// The current key: from the image (resolved now: a rebuilt image changes it), the QEMU version and the shape.
    /// Throws <see cref="MachineException"/>: ImageMissing without a complete image, StartFailed without QEMU or when it
    /// does not offer the configured machine type.
    /// </summary>
    public async Task<SnapshotContext> GetContextAsync(CancellationToken cancellationToken)
    {
        var image = GuestImage.Resolve(_options.ImageDirectory);
        image.EnsureComplete();
        var imageKey = image.ReadKey();
        var qemuVersion = await _qemuVersion.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        await _machineTypeOffered.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        var shape = MachineShape.From(_options, _accelerator);
        var key = SnapshotKey.Compute(imageKey, qemuVersion, shape.Describe());
        return new SnapshotContext(image, imageKey, qemuVersion, shape, key, Path.Combine(Directory, key));
    }

    /// <summary>The usable <c>snap{vcpuCount}</c> of the current key, or null.</summary>
    public static Snapshot? TryLoad(SnapshotContext context, int vcpuCount)
    {
        var files = context.Files(vcpuCount);
        var meta = ReadMeta(files);
        if (meta is null || meta.Key != context.Key || meta.VcpuCount != vcpuCount || !files.Required.All(File.Exists))
            return null;
        return new Snapshot(files, meta);
    }

    /// <summary>
    /// Returns <c>snap{vcpuCount}</c>, building it first when it is missing, stale or <paramref name="force"/>d (progress
    /// goes to <paramref name="progress"/>). Throws <see cref="MachineException"/> when it cannot be built.
    /// </summary>
    public async Task<Snapshot> EnsureAsync(int vcpuCount, bool force, IProgress<string> progress, CancellationToken cancellationToken)
    {
        var context = await GetContextAsync(cancellationToken).ConfigureAwait(false);
        MarkInUse(context);
        if (!force && TryLoad(context, vcpuCount) is { } existing)
            return existing;
        var gate = _buildGates[vcpuCount];
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            System.IO.Directory.CreateDirectory(context.KeyDirectory);
            var name = SnapshotFiles.FolderName(vcpuCount);
            using var buildLock = await FileLock.AcquireAsync(
                context.LockFile(vcpuCount), () => progress.Report($"{name}: waiting for another build of it to finish"), cancellationToken).ConfigureAwait(false);
            if (!force && TryLoad(context, vcpuCount) is { } builtMeanwhile)
                return builtMeanwhile;
            RemoveLeftovers(context.KeyDirectory, name);
            var snapshot = await _builder.BuildAsync(context, vcpuCount, progress, cancellationToken).ConfigureAwait(false);
            DeleteStaleKeys(context.Key);
            return snapshot;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose()
    {
        lock (_inUse)
        {
            foreach (var held in _inUse.Values)
                held.Dispose();
            _inUse.Clear();
        }
    }

    /// <summary>Takes the key's in-use lock (shared: .NET flocks LOCK_SH for any share mode but None) once per key.</summary>
    private void MarkInUse(SnapshotContext context)
    {
        lock (_inUse)
        {
            if (_inUse.ContainsKey(context.Key))
                return;
            System.IO.Directory.CreateDirectory(context.KeyDirectory);
            _inUse[context.Key] = new FileStream(
                context.InUseLockFile, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
    }

    /// <summary>Which snapshots of the current key are usable. Throws like <see cref="GetContextAsync"/>.</summary>
    public async Task<SnapshotStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        var context = await GetContextAsync(cancellationToken).ConfigureAwait(false);
        var ready = VmOptions.VcpuCounts.Where(v => TryLoad(context, v) is not null).ToList();
        return new SnapshotStatus(context.Key, context.KeyDirectory, ready, [.. VmOptions.VcpuCounts.Except(ready)]);
    }

    /// <summary>Every snapshot folder with a meta.json, under any key.</summary>
    public IReadOnlyList<Snapshot> List()
    {
        if (!System.IO.Directory.Exists(Directory))
            return [];
        return [.. System.IO.Directory.EnumerateDirectories(Directory)
            .Where(d => SnapshotKey.IsKey(Path.GetFileName(d)))
            .SelectMany(d => VmOptions.VcpuCounts.Select(v => new SnapshotFiles(Path.Combine(d, SnapshotFiles.FolderName(v)))))
            .Select(files => ReadMeta(files) is { } meta ? new Snapshot(files, meta) : null)
            .OfType<Snapshot>()
            .OrderBy(s => s.Meta.Key, StringComparer.Ordinal)
            .ThenBy(s => s.Meta.VcpuCount)];
    }

    private static SnapshotMeta? ReadMeta(SnapshotFiles files)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(files.Meta), SnapshotJsonContext.Default.SnapshotMeta);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Temp folders of builds that died (under the lock nobody else is building this snapshot).</summary>
    private static void RemoveLeftovers(string keyDirectory, string name)
    {
        foreach (var pattern in new[] { $".build-{name}-*", $".old-{name}-*" })
        {
            foreach (var leftover in System.IO.Directory.EnumerateDirectories(keyDirectory, pattern))
                System.IO.Directory.Delete(leftover, recursive: true);
        }
    }

    /// <summary>Deletes the folders of other keys that nobody is building or restoring from (all their locks are free).</summary>
    private void DeleteStaleKeys(string currentKey)
    {
        foreach (var folder in System.IO.Directory.EnumerateDirectories(Directory))
        {
            var key = Path.GetFileName(folder);
            if (key == currentKey || !SnapshotKey.IsKey(key))
                continue;
            var locks = new List<FileLock>();
            try
            {
                var free = true;
                foreach (var lockFile in System.IO.Directory.EnumerateFiles(folder, "*.lock"))
                {
                    if (FileLock.TryAcquire(lockFile) is { } held)
                        locks.Add(held);
                    else
                        free = false;
                }
                if (!free)
                    continue;
                System.IO.Directory.Delete(folder, recursive: true);
                LogStaleDeleted(_logger, key);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogStaleNotDeleted(_logger, e, folder);
            }
            finally
            {
                foreach (var held in locks)
                    held.Dispose();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted the snapshots of stale key {Key}")]
    private static partial void LogStaleDeleted(ILogger logger, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete the stale snapshot folder {Path}")]
    private static partial void LogStaleNotDeleted(ILogger logger, Exception exception, string path);
}
