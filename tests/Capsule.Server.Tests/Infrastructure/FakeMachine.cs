using Capsule.Vm;

namespace Capsule.Server.Tests.Infrastructure;

/// <summary>
/// An in-memory machine: records its env and every exec request, answers execs from the host's script,
/// and can be made to crash. Disposing it completes <see cref="Exited"/> with Destroyed, as the real one does.
/// </summary>
internal sealed class FakeMachine(string machineId, MachineSpec spec, FakeMachineHost host) : IMachine
{
    private readonly TaskCompletionSource<MachineExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, string> _env = new(spec.Env);
    private readonly List<ExecRequest> _execs = [];
    private readonly Lock _gate = new();

    public string MachineId { get; } = machineId;

    public MachineSpec Spec { get; } = spec;

    public int MemoryMb => Spec.MemoryMb;

    public Task<MachineExit> Exited => _exited.Task;

    public bool IsDisposed { get; private set; }

    public IReadOnlyDictionary<string, string> Env
    {
        get
        {
            lock (_gate)
                return new Dictionary<string, string>(_env);
        }
    }

    public IReadOnlyList<ExecRequest> Execs
    {
        get
        {
            lock (_gate)
                return [.. _execs];
        }
    }

    /// <summary>Simulates QEMU dying on its own.</summary>
    public void Crash(string detail = "qemu exited with signal 9") =>
        _exited.TrySetResult(new MachineExit(MachineExitReason.Crashed, detail));

    public Task SetEnvAsync(IReadOnlyDictionary<string, string> env, CancellationToken cancellationToken)
    {
        ThrowIfGone();
        lock (_gate)
        {
            foreach (var (key, value) in env)
                _env[key] = value;
        }
        return Task.CompletedTask;
    }

    public async Task<ExecResult> ExecAsync(ExecRequest request, Func<OutputChunk, ValueTask>? onOutput, CancellationToken cancellationToken)
    {
        ThrowIfGone();
        lock (_gate)
            _execs.Add(request);
        return await host.RunScriptAsync(this, request, cancellationToken);
    }

    public Task<long> WriteFileAsync(string path, Stream content, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Files are not part of these tests");

    public Task<long> ReadFileAsync(string path, Stream destination, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Files are not part of these tests");

    public Task<MachineStats> GetStatsAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new MachineStats { MemTotalMb = MemoryMb, MemUsedMb = 1, CpuTime = TimeSpan.Zero, Uptime = TimeSpan.Zero });

    public ValueTask DisposeAsync()
    {
        IsDisposed = true;
        _exited.TrySetResult(new MachineExit(MachineExitReason.Destroyed, "disposed"));
        return ValueTask.CompletedTask;
    }

    private void ThrowIfGone()
    {
        if (IsDisposed || _exited.Task.IsCompleted)
            throw new MachineException(MachineErrorCode.MachineGone, $"Machine {MachineId} is gone");
    }
}
