namespace Capsule.Vm;

/// <summary>
/// One running VM and its guest agent. Owned by exactly one caller; disposing destroys it
/// (QMP quit, then TERM, then KILL) and deletes its run folder.
/// </summary>
public interface IMachine : IAsyncDisposable
{
    /// <summary>Opaque machine id, unique on this host (e.g. "vm-3f2a9c1d").</summary>
    string MachineId { get; }

    /// <summary>Memory the guest can use now, in MB (base plus what virtio-mem has plugged).</summary>
    int MemoryMb { get; }

    /// <summary>
    /// The address on this host at which the guest's TCP ports are reachable (its network slot's address, forwarded to
    /// the guest), or null when the machine has no slot. Only the host can reach it; no guest port is bound on a host
    /// interface.
    /// </summary>
    string? GuestEndpoint { get; }

    /// <summary>Completes when the machine has stopped for any reason (destroyed, crashed, guest panic).</summary>
    Task<MachineExit> Exited { get; }

    /// <summary>Merges env vars into what every later exec sees (python and bash).</summary>
    Task SetEnvAsync(IReadOnlyDictionary<string, string> env, CancellationToken cancellationToken);

    /// <summary>
    /// Runs code in the guest. Output chunks go to <paramref name="onOutput"/> as they arrive
    /// (it may be null); the result carries all output too, capped at <see cref="ExecRequest.OutputLimitBytes"/>.
    /// A timeout is data (<see cref="ExecResult.TimedOut"/>); cancelling the token kills the guest process tree.
    /// </summary>
    Task<ExecResult> ExecAsync(ExecRequest request, Func<OutputChunk, ValueTask>? onOutput, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="content"/> to an absolute guest path, creating parent folders.</summary>
    Task<long> WriteFileAsync(string path, Stream content, CancellationToken cancellationToken);

    /// <summary>Copies a guest file into <paramref name="destination"/>; returns its size in bytes.</summary>
    Task<long> ReadFileAsync(string path, Stream destination, CancellationToken cancellationToken);

    /// <summary>Reads the guest's memory and CPU counters.</summary>
    Task<MachineStats> GetStatsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Puts <paramref name="rules"/> in force for the guest's network at once (new lookups and connections; proxied
    /// connections they forbid are closed). Without a network slot the guest reaches nothing whatever the rules say.
    /// </summary>
    Task SetEgressAsync(EgressRules rules, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The guest's network counters since the machine started (<see cref="NetworkCounters.None"/> without a slot).</summary>
    Task<NetworkCounters> GetNetworkCountersAsync(CancellationToken cancellationToken) => Task.FromResult(NetworkCounters.None);

    /// <summary>
    /// Starts a shell on a new pseudo terminal in the guest (several may be open at once). The caller owns the result.
    /// Machines without terminals (test fakes that do not model them) refuse with <see cref="MachineErrorCode.GuestError"/>.
    /// </summary>
    Task<IMachinePty> OpenPtyAsync(PtyRequest request, CancellationToken cancellationToken) =>
        Task.FromException<IMachinePty>(new MachineException(MachineErrorCode.GuestError, "This machine has no terminals."));
}
