using System.Collections.Concurrent;
using System.Net.Sockets;
using Capsule.Testing.Guests;
using Capsule.Vm;
using Capsule.Vm.Agent;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capsule.Testing.Machines;

/// <summary>
/// An <see cref="IMachineHost"/> whose machines are <see cref="AgentSocketMachine"/>s: the real agent connection and
/// health probe over a unix socket, with a <see cref="ScriptedGuest"/> of the behaviour <see cref="NextGuest"/> names
/// on the guest side. Sockets live in a temp folder, deleted on dispose.
/// </summary>
internal sealed class AgentSocketMachineHost : IMachineHost, IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("capsule-guests-").FullName;
    private readonly ConcurrentQueue<AgentSocketMachine> _started = new();
    private readonly CancellationTokenSource _stop = new();
    private int _nextId;

    public AcceleratorInfo Accelerator { get; } = new("tcg", "no usable KVM (test host)");

    /// <summary>The behaviour of the guest of the next machine started.</summary>
    public GuestBehaviour NextGuest { get; set; } = GuestBehaviour.WellBehaved;

    /// <summary>How the machines' agents are probed (short by default, so a silent guest is found quickly).</summary>
    public HealthProbeSettings HealthProbe { get; set; } = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2));

    public IReadOnlyList<AgentSocketMachine> Started => [.. _started];

    public async Task<IMachine> StartAsync(MachineSpec spec, CancellationToken cancellationToken)
    {
        var machineId = $"vm-sock{Interlocked.Increment(ref _nextId):D4}";
        var path = Path.Combine(_folder, $"{machineId}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var connect = AgentConnection.ConnectAsync(path, machineId, NullLogger.Instance, TimeProvider.System, cancellationToken);
        var guest = new ScriptedGuest(await listener.AcceptAsync(cancellationToken), NextGuest);
        var guestRun = Task.Run(() => guest.RunAsync(_stop.Token), CancellationToken.None);
        var machine = new AgentSocketMachine(machineId, spec, await connect, guest, guestRun, HealthProbe);
        _started.Enqueue(machine);
        if (spec.Env.Count > 0)
        {
            // As the real host's hand-over does: env before the machine is handed over, and a refusal ends it.
            try
            {
                await machine.SetEnvAsync(spec.Env, cancellationToken);
            }
            catch
            {
                await machine.DisposeAsync();
                throw;
            }
        }
        return machine;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var machine in _started)
            await machine.DisposeAsync();
        _stop.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
