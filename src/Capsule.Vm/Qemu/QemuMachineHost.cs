using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Capsule.Vm.Qemu;

/// <summary>
/// Starts QEMU machines on this host, up to <see cref="VmOptions.MaxMachines"/> at once, and destroys the ones
/// still alive when disposed (application shutdown).
/// </summary>
internal sealed partial class QemuMachineHost : IMachineHost, IAsyncDisposable
{
    private static readonly int[] VcpuCounts = [1, 2, 4, 6, 8];

    private readonly VmOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Dictionary<string, QemuMachine> _machines = [];
    private bool _disposed;

    public QemuMachineHost(IOptions<VmOptions> options, IHostProbe probe, ILoggerFactory loggerFactory)
    {
        _options = options.Value;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<QemuMachineHost>();
        Accelerator = new AcceleratorDetector(probe).Detect(_options.Accelerator);
        if (Accelerator.Name == AcceleratorDetector.Kvm)
            LogKvm(_logger, Accelerator.Reason);
        else
            LogTcg(_logger, Accelerator.Reason);
    }

    public AcceleratorInfo Accelerator { get; }

    /// <summary>True if <paramref name="machineId"/> is a machine of this host that is still alive or starting.</summary>
    public bool Owns(string machineId)
    {
        lock (_machines)
            return _machines.ContainsKey(machineId);
    }

    public async Task<IMachine> StartAsync(MachineSpec spec, CancellationToken cancellationToken)
    {
        Validate(spec);
        var image = GuestImage.Resolve(_options.ImageDirectory);
        image.EnsureComplete();
        var machineId = $"vm-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        var folder = new MachineFolder(Path.Combine(Path.GetFullPath(_options.RunDirectory), machineId));
        var machine = new QemuMachine(machineId, folder, _options.BaseMemoryMb, _loggerFactory, Forget);
        Reserve(machine);
        var boot = new MachineBoot
        {
            QemuBinary = _options.QemuBinary,
            QemuImgBinary = _options.QemuImgBinary,
            MemoryMb = spec.MemoryMb,
            Env = spec.Env,
            Timeout = _options.BootTimeout,
            CommandLine = new QemuCommandLine
            {
                Accelerator = Accelerator.Name,
                VcpuCount = spec.VcpuCount,
                BaseMemoryMb = _options.BaseMemoryMb,
                HotplugMemoryMb = _options.HotplugMemoryMb,
                TcgTbSizeMb = _options.TcgTbSizeMb,
                Image = image,
                Folder = folder,
            },
        };
        try
        {
            await machine.BootAsync(boot, cancellationToken).ConfigureAwait(false);
            return machine;
        }
        catch (Exception e)
        {
            // Not handling: whatever went wrong, the half-started machine must not outlive this call.
            await machine.DisposeAsync().ConfigureAwait(false);
            if (e is MachineException)
                LogStartFailed(_logger, e, machineId);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<QemuMachine> alive;
        lock (_machines)
        {
            if (_disposed)
                return;
            _disposed = true;
            alive = [.. _machines.Values];
        }
        if (alive.Count > 0)
            LogDestroyingAll(_logger, alive.Count);
        await Task.WhenAll(alive.Select(m => m.DisposeAsync().AsTask())).ConfigureAwait(false);
    }

    private void Validate(MachineSpec spec)
    {
        if (!VcpuCounts.Contains(spec.VcpuCount))
            throw new ArgumentOutOfRangeException(nameof(spec), spec.VcpuCount, $"vCPU count must be one of {string.Join(", ", VcpuCounts)}.");
        var maxMemoryMb = _options.BaseMemoryMb + _options.HotplugMemoryMb;
        if (spec.MemoryMb < _options.BaseMemoryMb || spec.MemoryMb > maxMemoryMb)
            throw new ArgumentOutOfRangeException(nameof(spec), spec.MemoryMb, $"Memory must be {_options.BaseMemoryMb} to {maxMemoryMb} MB.");
    }

    private void Reserve(QemuMachine machine)
    {
        lock (_machines)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_machines.Count >= _options.MaxMachines)
                throw new MachineException(MachineErrorCode.CapacityExhausted, $"This host already runs {_machines.Count} machines, its maximum.");
            _machines.Add(machine.MachineId, machine);
        }
    }

    private void Forget(QemuMachine machine)
    {
        lock (_machines)
            _machines.Remove(machine.MachineId);
    }
}
