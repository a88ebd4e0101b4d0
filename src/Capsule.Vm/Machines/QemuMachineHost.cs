using System.Security.Cryptography;
using Capsule.Vm.Agent;
using Capsule.Vm.Network;
using Capsule.Vm.Pool;
using Capsule.Vm.Qemu;
using Capsule.Vm.Snapshots;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Capsule.Vm.Machines;

/// <summary>
/// Starts QEMU machines on this host within its capacity (<see cref="VmOptions.MaxMachines"/>, memory limits), keeps
/// a warm pool of restored, paused machines (<see cref="StartPool"/>), and destroys every machine still alive when
/// disposed (application shutdown). A start is a hand-over from the pool, or a restore of the snapshot for its vCPU
/// count (built first if missing); machines are never cold-booted for sessions.
/// </summary>
internal sealed partial class QemuMachineHost : IMachineHost, IAsyncDisposable
{
    private const long MiB = 1024 * 1024;

    /// <summary>
    /// How long disposing waits for the background tasks (the pool's refill may be destroying the machine it was
    /// restoring); the machines are destroyed next either way.
    /// </summary>
    private static readonly TimeSpan BackgroundJoinBound = TimeSpan.FromSeconds(30);

    private readonly VmOptions _options;
    private readonly IHostProbe _probe;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, QemuMachine> _machines = [];
    private readonly List<Task> _retiring = [];
    private readonly WarmPool _pool;
    private readonly MachineShape _shape;
    private readonly IProgress<string> _buildProgress;
    private readonly BackgroundTasks _background;
    private readonly NetworkHost? _network;
    private bool _disposed;

    /// <param name="time">The clock of the host and its machines: their polls, grace periods, probes, watches and back-offs.</param>
    /// <param name="network">Gives machines their network slots once started (<see cref="NetworkHost.StartAsync"/>); null: none.</param>
    public QemuMachineHost(IOptions<VmOptions> options, IHostProbe probe, ILoggerFactory loggerFactory, TimeProvider time, NetworkHost? network = null)
    {
        _network = network;
        _time = time;
        _options = options.Value;
        _probe = probe;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<QemuMachineHost>();
        Accelerator = new AcceleratorDetector(probe).Detect(_options.Accelerator);
        if (Accelerator.Name == AcceleratorDetector.Kvm)
            LogKvm(_logger, Accelerator.Reason);
        else
            LogTcg(_logger, Accelerator.Reason);
        _shape = MachineShape.From(_options, Accelerator.Name);
        Snapshots = new SnapshotStore(_options, Accelerator.Name, loggerFactory);
        _pool = new WarmPool(_options.WarmPoolSize, _options.PooledVcpuCounts);
        _buildProgress = new LogProgress(message => LogSnapshotProgress(_logger, message));
        _background = new BackgroundTasks("the machine host", _logger, time);
    }

    public AcceleratorInfo Accelerator { get; }

    public EgressDenials EgressDenials => _network?.EgressDenials ?? EgressDenials.None;

    public NetworkInfo Network => _network is null
        ? new NetworkInfo(false, "no network host configured")
        : new NetworkInfo(_network.Slots is not null, _network.Reason);

    /// <summary>The full path of the folder that holds one folder per machine.</summary>
    public string RunDirectory => Path.GetFullPath(_options.RunDirectory);

    /// <summary>Where this host's snapshots are and how they are built.</summary>
    public SnapshotStore Snapshots { get; }

    /// <summary>True if <paramref name="machineId"/> is a machine of this host that is still alive or starting.</summary>
    public bool Owns(string machineId)
    {
        lock (_machines)
            return _machines.ContainsKey(machineId);
    }

    public async Task<IMachine> StartAsync(MachineSpec spec, CancellationToken cancellationToken)
    {
        Validate(spec);
        var machine = Reserve(spec, allowPooled: true, out var fromPool);
        if (fromPool)
        {
            try
            {
                await machine.HandOverAsync(HandOverFor(spec), cancellationToken).ConfigureAwait(false);
                LogFromPool(_logger, machine.MachineId, spec.VcpuCount);
                return machine;
            }
            catch (MachineException e) when (e.Code == MachineErrorCode.StartFailed)
            {
                LogPooledHandOverFailed(_logger, e, machine.MachineId);
                await machine.DisposeAsync().ConfigureAwait(false);
                machine = Reserve(spec, allowPooled: false, out _);
            }
            catch
            {
                await machine.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            finally
            {
                RequestRefill();
            }
        }
        try
        {
            var snapshot = await Snapshots.EnsureAsync(spec.VcpuCount, force: false, _buildProgress, cancellationToken).ConfigureAwait(false);
            await machine.RestoreAsync(RestoreFor(machine, snapshot), cancellationToken).ConfigureAwait(false);
            await machine.HandOverAsync(HandOverFor(spec), cancellationToken).ConfigureAwait(false);
            return machine;
        }
        catch (Exception e)
        {
            // Not handling: whatever went wrong, the half-started machine must not outlive this call.
            await machine.DisposeAsync().ConfigureAwait(false);
            if (e is MachineException)
                LogStartFailed(_logger, e, machine.MachineId);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<QemuMachine> alive;
        List<Task> retiring;
        lock (_machines)
        {
            if (_disposed)
                return;
            _disposed = true;
            alive = [.. _machines.Values];
            retiring = [.. _retiring];
        }
        // The pool's refill and watchers first, so nothing refills while the machines go.
        await _background.JoinAsync(BackgroundJoinBound).ConfigureAwait(false);
        if (alive.Count > 0)
            LogDestroyingAll(_logger, alive.Count);
        await Task.WhenAll(alive.Select(m => m.DisposeAsync().AsTask()).Concat(retiring)).ConfigureAwait(false);
        if (_network is not null)
            await _network.StopAsync(CancellationToken.None).ConfigureAwait(false);
        Snapshots.Dispose();
    }

    private MachineLimits Limits => MachineLimits.For(_options);

    private void Validate(MachineSpec spec)
    {
        var limits = Limits;
        if (!limits.Allows(spec))
        {
            throw new ArgumentOutOfRangeException(nameof(spec), spec,
                $"A machine has {string.Join(", ", limits.VcpuCounts)} vCPUs and {limits.MinMemoryMb} to {limits.MaxMemoryMb} MB.");
        }
    }

    private QemuMachine NewMachine(int vcpuCount)
    {
        var machineId = $"vm-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        var folder = new MachineFolder(Path.Combine(RunDirectory, machineId));
        return new QemuMachine(machineId, folder, vcpuCount, _options.BaseMemoryMb, _loggerFactory, _time, Forget);
    }

    private MachineRestore RestoreFor(QemuMachine machine, Snapshot snapshot) => new()
    {
        QemuBinary = _options.QemuBinary,
        QemuImgBinary = _options.QemuImgBinary,
        Snapshot = snapshot,
        CommandLine = _shape.ForRestore(snapshot, new MachineFolder(machine.FolderPath)),
        Slots = _network?.Slots,
        Timeout = _options.RestoreTimeout,
    };

    private HandOver HandOverFor(MachineSpec spec) => new()
    {
        Egress = spec.Egress,
        MemoryMb = spec.MemoryMb,
        Env = spec.Env,
        Reseed = _options.ReseedGuestEntropy,
        DiskQuotaBytes = _options.DiskQuotaMb * MiB,
        HealthProbe = new HealthProbeSettings(_options.HealthProbeInterval, _options.HealthProbeTimeout),
        FileIdleTimeout = _options.FileIdleTimeout,
        Timeout = _options.RestoreTimeout,
    };

    /// <summary>Called by a machine once it is fully gone: its capacity is free again.</summary>
    private void Forget(QemuMachine machine)
    {
        lock (_machines)
        {
            _machines.Remove(machine.MachineId);
            _pool.Remove(machine);
        }
        RequestRefill();
    }

    /// <summary>Destroys machines that left the books (evicted or found dead in the pool) without waiting for them.</summary>
    private void Retire(List<QemuMachine> machines)
    {
        if (machines.Count == 0)
            return;
        lock (_machines)
        {
            _retiring.RemoveAll(t => t.IsCompleted);
            foreach (var machine in machines)
                _retiring.Add(machine.DisposeAsync().AsTask());
        }
    }

    /// <summary>Reports snapshot build progress to the log.</summary>
    private sealed class LogProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
