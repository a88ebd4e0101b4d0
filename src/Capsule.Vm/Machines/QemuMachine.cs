using Capsule.Vm.Agent;
using Capsule.Vm.HostTools;
using Capsule.Vm.Network;
using Capsule.Vm.Qemu;
using Capsule.Vm.Qmp;
using Microsoft.Extensions.Logging;

namespace Capsule.Vm.Machines;

/// <summary>
/// One QEMU machine: owns its run folder, <see cref="QemuProcess"/>, <see cref="QmpClient"/> and
/// <see cref="AgentConnection"/>. It is either cold-booted (<see cref="BootAsync"/>, only to build a snapshot) or
/// restored from a snapshot, paused (<see cref="RestoreAsync"/>), and later resumed and handed over
/// (<see cref="HandOverAsync"/>). <see cref="Exited"/> completes with Crashed when QEMU exits on its own (Oom when its
/// console shows an out-of-memory kernel panic, <see cref="ConsolePanic"/>), the agent connection breaks (it closed,
/// broke the protocol or did not answer its health probe) or the disk quota is exceeded, and with Destroyed when
/// disposed. Disposing stops QEMU, joins the machine's background tasks (<see cref="BackgroundTasks"/>: its watchers,
/// the disk-quota watch, the agent health probe, the memory-plug tracking) and deletes the run folder; idempotent.
/// </summary>
internal sealed partial class QemuMachine : IMachine
{
    /// <summary>How long a disposed machine waits for its background tasks; they all end once QEMU and its sockets are closed.</summary>
    private static readonly TimeSpan BackgroundJoinBound = TimeSpan.FromSeconds(10);

    private readonly MachineFolder _folder;
    private readonly int _baseMemoryMb;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Action<QemuMachine> _onDisposed;
    private readonly TaskCompletionSource<MachineExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _gone = new();
    private readonly Lock _disposeGate = new();
    private readonly BackgroundTasks _background;
    private QemuProcess? _process;
    private QmpClient? _qmp;
    private AgentConnection? _agent;
    private NetworkSlots? _slotOwner;
    private NetworkSlot? _slot;
    private GuestConsole? _console;
    private int _pluggedMb;
    private int _committedMemoryMb;
    private bool _agentDetached;
    private string _lastGuestEvent = "";
    private Task? _dispose;

    /// <param name="time">Times the machine's polls, grace periods, probes and watches.</param>
    /// <param name="onDisposed">Called once the machine is fully gone (QEMU stopped, folder deleted).</param>
    public QemuMachine(
        string machineId, MachineFolder folder, int vcpuCount, int baseMemoryMb, ILoggerFactory loggerFactory, TimeProvider time, Action<QemuMachine> onDisposed)
    {
        _time = time;
        MachineId = machineId;
        _folder = folder;
        VcpuCount = vcpuCount;
        _baseMemoryMb = baseMemoryMb;
        _committedMemoryMb = baseMemoryMb;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<QemuMachine>();
        _onDisposed = onDisposed;
        _background = new BackgroundTasks(machineId, _logger, time, _gone.Token);
    }

    public string MachineId { get; }

    public int VcpuCount { get; }

    /// <summary>Base memory plus what virtio-mem has plugged so far, as last read from QEMU (updated while it grows).</summary>
    public int MemoryMb => _baseMemoryMb + Volatile.Read(ref _pluggedMb);

    /// <summary>
    /// The memory this machine counts for against the host's capacity: its base memory while it waits in the pool,
    /// the memory its owner asked for once it is reserved for a start.
    /// </summary>
    public int CommittedMemoryMb
    {
        get => Volatile.Read(ref _committedMemoryMb);
        set => Volatile.Write(ref _committedMemoryMb, value);
    }

    public Task<MachineExit> Exited => _exited.Task;

    /// <summary>The QEMU process id once spawned, else 0.</summary>
    public int Pid => _process?.Pid ?? 0;

    public string FolderPath => _folder.Path;

    public string? GuestEndpoint => _slot?.GuestEndpoint;

    /// <summary>The machine's network slot once restored into one; null without (a build, or a host without slots).</summary>
    public NetworkSlot? Slot => _slot;

    /// <summary>The last <paramref name="lines"/> lines of the guest's serial console (the host keeps its last 16 KiB).</summary>
    public string ConsoleTail(int lines) => _console?.Tail(lines) ?? "";

    /// <summary>Bytes the machine's disk overlay holds (its writes to the root disk), or 0 before it exists.</summary>
    public long DiskUsageBytes
    {
        get
        {
            var disk = new FileInfo(_folder.Disk);
            return disk.Exists ? disk.Length : 0;
        }
    }

    public Task SetEnvAsync(IReadOnlyDictionary<string, string> env, CancellationToken cancellationToken) =>
        Agent.SetEnvAsync(env, cancellationToken);

    public Task<ExecResult> ExecAsync(ExecRequest request, Func<OutputChunk, ValueTask>? onOutput, CancellationToken cancellationToken) =>
        Agent.ExecAsync(request, onOutput, cancellationToken);

    public Task<long> WriteFileAsync(string path, Stream content, CancellationToken cancellationToken) =>
        Agent.WriteFileAsync(path, content, cancellationToken);

    public Task<long> ReadFileAsync(string path, Stream destination, CancellationToken cancellationToken) =>
        Agent.ReadFileAsync(path, destination, cancellationToken);

    public Task<MachineStats> GetStatsAsync(CancellationToken cancellationToken) =>
        Agent.GetStatsAsync(cancellationToken);

    public Task<IMachinePty> OpenPtyAsync(PtyRequest request, CancellationToken cancellationToken) =>
        Agent.OpenPtyAsync(request, cancellationToken);

    public async Task SetEgressAsync(EgressRules rules, CancellationToken cancellationToken)
    {
        if (_slot is { } slot && _dispose is null)
        {
            try
            {
                await _slotOwner!.Egress.ApplyAsync(slot, rules, cancellationToken).ConfigureAwait(false);
            }
            catch (HostCommandException e)
            {
                throw new MachineException(MachineErrorCode.GuestError, $"The egress policy could not be put in force: {e.Message}");
            }
        }
    }

    public async Task<NetworkCounters> GetNetworkCountersAsync(CancellationToken cancellationToken)
    {
        if (_slot is not { } slot || _dispose is not null)
            return NetworkCounters.None;
        try
        {
            return await _slotOwner!.Egress.ReadCountersAsync(slot, cancellationToken).ConfigureAwait(false);
        }
        catch (HostCommandException e)
        {
            throw new MachineException(MachineErrorCode.MachineGone, $"Machine {MachineId} has no network slot any more: {e.Message}");
        }
    }

    public ValueTask DisposeAsync()
    {
        lock (_disposeGate)
            _dispose ??= DisposeCoreAsync();
        return new ValueTask(_dispose);
    }

    private AgentConnection Agent =>
        _agent is { } agent && _dispose is null
            ? agent
            : throw new MachineException(MachineErrorCode.MachineGone, $"Machine {MachineId} is destroyed.");

    private async Task DisposeCoreAsync()
    {
        _exited.TrySetResult(new MachineExit(MachineExitReason.Destroyed, "destroyed by its owner"));
        await _gone.CancelAsync().ConfigureAwait(false);
        var started = _time.GetTimestamp();
        if (_agent is not null)
            await _agent.DisposeAsync().ConfigureAwait(false);
        if (_process is not null)
            await _process.StopAsync(_qmp is null ? null : QuitAsync).ConfigureAwait(false);
        if (_qmp is not null)
            await _qmp.DisposeAsync().ConfigureAwait(false);
        if (_console is not null)
            await _console.DisposeAsync().ConfigureAwait(false);
        await _background.JoinAsync(BackgroundJoinBound).ConfigureAwait(false);
        // QEMU is gone, so nothing holds the tap: the slot goes (with its rules) and its number is free again.
        if (_slot is not null)
            await _slotOwner!.ReleaseAsync(_slot).ConfigureAwait(false);
        DeleteFolder();
        var elapsedMs = ElapsedMs(started);
        LogDestroyed(_logger, MachineId, elapsedMs);
        _onDisposed(this);
    }

    private async Task QuitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _qmp!.ExecuteAsync("quit", null, cancellationToken).ConfigureAwait(false);
        }
        catch (QmpConnectionClosedException)
        {
            // QEMU may close the socket before its reply: it is quitting either way.
        }
    }

    private void DeleteFolder()
    {
        try
        {
            if (Directory.Exists(_folder.Path))
                Directory.Delete(_folder.Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogFolderNotDeleted(_logger, e, MachineId, _folder.Path);
        }
    }

    private long ElapsedMs(long started) => (long)_time.GetElapsedTime(started).TotalMilliseconds;

    /// <summary>The machine stopped without its owner asking: remember why, once.</summary>
    private void OnStoppedUnexpectedly(string detail) => OnStoppedUnexpectedly(new MachineExit(MachineExitReason.Crashed, detail));

    private void OnStoppedUnexpectedly(MachineExit exit)
    {
        if (_dispose is null && _exited.TrySetResult(exit))
            LogCrashed(_logger, MachineId, exit.Reason.ToString(), exit.Detail);
        _gone.Cancel();
    }
}
