using System.Diagnostics;
using Capsule.Vm.Agent;
using Capsule.Vm.Qmp;
using Microsoft.Extensions.Logging;

namespace Capsule.Vm.Qemu;

/// <summary>
/// One QEMU machine: owns its run folder, <see cref="QemuProcess"/>, <see cref="QmpClient"/> and
/// <see cref="AgentConnection"/>. <see cref="Exited"/> completes with Crashed when QEMU exits on its own or the agent
/// connection breaks, and with Destroyed when disposed. Disposing stops QEMU and deletes the run folder; idempotent.
/// </summary>
internal sealed partial class QemuMachine : IMachine
{
    private readonly MachineFolder _folder;
    private readonly int _baseMemoryMb;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Action<QemuMachine> _onDisposed;
    private readonly TaskCompletionSource<MachineExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _gone = new();
    private readonly Lock _disposeGate = new();
    private QemuProcess? _process;
    private QmpClient? _qmp;
    private AgentConnection? _agent;
    private int _pluggedMb;
    private string _lastGuestEvent = "";
    private Task? _dispose;

    /// <param name="onDisposed">Called once the machine is fully gone (QEMU stopped, folder deleted).</param>
    public QemuMachine(string machineId, MachineFolder folder, int baseMemoryMb, ILoggerFactory loggerFactory, Action<QemuMachine> onDisposed)
    {
        MachineId = machineId;
        _folder = folder;
        _baseMemoryMb = baseMemoryMb;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<QemuMachine>();
        _onDisposed = onDisposed;
    }

    public string MachineId { get; }

    public int MemoryMb => _baseMemoryMb + Volatile.Read(ref _pluggedMb);

    public Task<MachineExit> Exited => _exited.Task;

    /// <summary>The QEMU process id once spawned, else 0.</summary>
    public int Pid => _process?.Pid ?? 0;

    public string FolderPath => _folder.Path;

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
        var stopwatch = Stopwatch.StartNew();
        if (_agent is not null)
            await _agent.DisposeAsync().ConfigureAwait(false);
        if (_process is not null)
            await _process.StopAsync(_qmp is null ? null : QuitAsync).ConfigureAwait(false);
        if (_qmp is not null)
            await _qmp.DisposeAsync().ConfigureAwait(false);
        DeleteFolder();
        LogDestroyed(_logger, MachineId, stopwatch.ElapsedMilliseconds);
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

    /// <summary>The machine stopped without its owner asking: remember why, once.</summary>
    private void OnStoppedUnexpectedly(string detail)
    {
        if (_dispose is null && _exited.TrySetResult(new MachineExit(MachineExitReason.Crashed, detail)))
            LogCrashed(_logger, MachineId, detail);
        _gone.Cancel();
    }
}
