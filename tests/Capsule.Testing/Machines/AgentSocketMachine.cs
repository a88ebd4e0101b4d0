using Capsule.Testing.Guests;
using Capsule.Vm;
using Capsule.Vm.Agent;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capsule.Testing.Machines;

/// <summary>
/// A machine that is the real host side of the agent protocol (<see cref="AgentConnection"/> plus the real
/// <see cref="AgentHealthProbe"/>) over a unix socket, with a <see cref="ScriptedGuest"/> on the other end instead of a VM.
/// Like a QEMU machine, it exits as crashed with the connection's reason when the connection breaks.
/// </summary>
internal sealed class AgentSocketMachine : IMachine
{
    private readonly AgentConnection _agent;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<MachineExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _probe;
    private readonly Task _guestRun;
    private int _disposed;

    public AgentSocketMachine(string machineId, MachineSpec spec, AgentConnection agent, ScriptedGuest guest, Task guestRun, HealthProbeSettings probe)
    {
        MachineId = machineId;
        MemoryMb = spec.MemoryMb;
        _agent = agent;
        Guest = guest;
        _guestRun = guestRun;
        _probe = AgentHealthProbe.RunAsync(agent, probe, NullLogger.Instance, machineId, TimeProvider.System, _stop.Token);
        _ = WatchAsync();
    }

    public string MachineId { get; }

    public int MemoryMb { get; }

    public string? GuestEndpoint => null;

    public ScriptedGuest Guest { get; }

    public Task<MachineExit> Exited => _exited.Task;

    public Task SetEnvAsync(IReadOnlyDictionary<string, string> env, CancellationToken cancellationToken) => _agent.SetEnvAsync(env, cancellationToken);

    public Task<ExecResult> ExecAsync(ExecRequest request, Func<OutputChunk, ValueTask>? onOutput, CancellationToken cancellationToken) =>
        _agent.ExecAsync(request, onOutput, cancellationToken);

    public Task<long> WriteFileAsync(string path, Stream content, CancellationToken cancellationToken) => _agent.WriteFileAsync(path, content, cancellationToken);

    public Task<long> ReadFileAsync(string path, Stream destination, CancellationToken cancellationToken) => _agent.ReadFileAsync(path, destination, cancellationToken);

    public Task<MachineStats> GetStatsAsync(CancellationToken cancellationToken) => _agent.GetStatsAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        _exited.TrySetResult(new MachineExit(MachineExitReason.Destroyed, "destroyed by its owner"));
        await _stop.CancelAsync();
        await _agent.DisposeAsync();
        await _probe;
        await _guestRun.WaitAsync(TimeSpan.FromSeconds(30));
        _stop.Dispose();
    }

    private async Task WatchAsync()
    {
        var reason = await _agent.Closed;
        if (Volatile.Read(ref _disposed) == 0)
            _exited.TrySetResult(new MachineExit(MachineExitReason.Crashed, reason));
    }
}
