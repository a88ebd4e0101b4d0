using Capsule.Vm.Agent;
using Capsule.Vm.Qmp;

namespace Capsule.Vm.Machines;

internal sealed partial class QemuMachine
{
    /// <summary>How often a handed-over machine's disk overlay is measured against its quota.</summary>
    private static readonly TimeSpan DiskQuotaInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Turns a restored, paused machine into one its owner can use:
    /// 1. <c>cont</c>; 2. ask virtio-mem for the memory beyond the base (the guest plugs it while the rest goes on, and
    /// <see cref="MemoryMb"/> reports what is plugged so far: the hand-over does not wait for it);
    /// 3. agent handshake, unless the pool already made it (<see cref="WarmAsync"/>); 4. reseed (if asked), set env vars and
    /// put the egress rules in force on the slot (until then the slot denies everything).
    /// Then the disk quota is watched and the agent health-probed (<see cref="AgentHealthProbe"/>). Failures throw <see cref="MachineException"/> (StartFailed); the caller disposes.
    /// </summary>
    public async Task HandOverAsync(HandOver handOver, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _gone.Token);
        deadline.CancelAfter(handOver.Timeout);
        var stage = "resuming";
        try
        {
            await _qmp!.ExecuteAsync("cont", null, deadline.Token).ConfigureAwait(false);

            stage = "plugging memory";
            await StartPlugAsync(handOver.MemoryMb, deadline.Token).ConfigureAwait(false);

            stage = "waiting for the guest agent";
            if (_agent is null)
                await ConnectAgentAsync(deadline.Token).ConfigureAwait(false);
            var agentReadyMs = ElapsedMs(started);

            stage = handOver.Reseed ? "reseeding the guest's random number generators and setting env vars" : "setting env vars";
            var reseed = handOver.Reseed ? ReseedAsync(deadline.Token) : Task.CompletedTask;
            var env = handOver.Env.Count > 0 ? _agent!.SetEnvAsync(handOver.Env, deadline.Token) : Task.CompletedTask;
            var egress = SetEgressAsync(handOver.Egress, deadline.Token);
            await Task.WhenAll(reseed, env, egress).ConfigureAwait(false);

            var agent = _agent!;
            agent.FileIdleTimeout = handOver.FileIdleTimeout;
            _background.Start("disk quota watch", stopping => WatchDiskQuotaAsync(handOver.DiskQuotaBytes, stopping));
            _background.Start("agent health probe", stopping => AgentHealthProbe.RunAsync(agent, handOver.HealthProbe, _logger, MachineId, _time, stopping));
            var elapsedMs = ElapsedMs(started);
            LogHandedOver(_logger, MachineId, MemoryMb, handOver.MemoryMb, agentReadyMs, elapsedMs);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (IsStartFailure(e))
        {
            throw await StartFailedAsync(stage, e, handOver.Timeout).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Readies a restored machine for the warm pool, so a hand-over is a resume and not a cold start:
    /// 1. <c>cont</c>; 2. agent handshake (the agent reseeds the guest CRNG with this connection's nonce);
    /// 3. one python and one bash exec that leave no state behind but fill QEMU's TCG translation cache with the code
    /// every first exec runs (a fresh QEMU process starts with an empty one); 4. <c>stop</c>. The agent connection
    /// stays open while the machine is paused. Failures throw <see cref="MachineException"/> (StartFailed).
    /// </summary>
    public async Task WarmAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _gone.Token);
        deadline.CancelAfter(timeout);
        var stage = "resuming";
        try
        {
            await _qmp!.ExecuteAsync("cont", null, deadline.Token).ConfigureAwait(false);
            stage = "waiting for the guest agent";
            await ConnectAgentAsync(deadline.Token).ConfigureAwait(false);
            stage = "warming up";
            foreach (var (language, code) in WarmUpExecs)
            {
                var request = new ExecRequest { Language = language, Code = code, Timeout = TimeSpan.FromSeconds(30) };
                var result = await _agent!.ExecAsync(request, null, deadline.Token).ConfigureAwait(false);
                if (result.ExitCode != 0)
                    throw new MachineException(MachineErrorCode.StartFailed, $"the warm-up exec failed with exit code {result.ExitCode}",
                        hostDetail: result.Stderr.Trim());
            }
            stage = "pausing";
            await _qmp.ExecuteAsync("stop", null, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (IsStartFailure(e))
        {
            throw await StartFailedAsync(stage, e, timeout).ConfigureAwait(false);
        }
    }

    /// <summary>What <see cref="WarmAsync"/> runs: the first python and bash exec paths, leaving no names or state.</summary>
    private static readonly (ExecLanguageKind Language, string Code)[] WarmUpExecs =
    [
        (ExecLanguageKind.Python, "pass"),
        (ExecLanguageKind.Bash, "true"),
    ];

    /// <summary>Python that reseeds the guest; SEED is replaced with 64 host-random bytes in hex.</summary>
    private const string ReseedCode = """
        def _capsule_reseed(seed):
            import fcntl, os, sys
            fd = os.open("/dev/urandom", os.O_WRONLY)
            try:
                os.write(fd, seed)
                fcntl.ioctl(fd, 0x5207)  # RNDRESEEDCRNG
            finally:
                os.close(fd)
            if "random" in sys.modules:
                sys.modules["random"].seed()
        _capsule_reseed(bytes.fromhex("SEED"))
        del _capsule_reseed
        """;

    /// <summary>
    /// Machines restored from one snapshot start with the same kernel CRNG state and would draw the same random numbers
    /// (this kernel has no vmgenid driver). One python exec writes 64 host-random bytes into /dev/urandom, forces a
    /// CRNG reseed (ioctl RNDRESEEDCRNG) and reseeds Python's <c>random</c> if it is imported; it leaves no names behind.
    /// </summary>
    private async Task ReseedAsync(CancellationToken cancellationToken)
    {
        var seed = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64));
        var request = new ExecRequest { Language = ExecLanguageKind.Python, Code = ReseedCode.Replace("SEED", seed, StringComparison.Ordinal), Timeout = TimeSpan.FromSeconds(30) };
        var result = await _agent!.ExecAsync(request, null, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw new MachineException(MachineErrorCode.StartFailed, $"reseeding the guest failed with exit code {result.ExitCode}",
                hostDetail: result.Stderr.Trim());
    }

    /// <summary>Every few seconds: a disk overlay over the quota stops the machine (Exited says why).</summary>
    private async Task WatchDiskQuotaAsync(long quotaBytes, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(DiskQuotaInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var used = DiskUsageBytes;
                if (used <= quotaBytes)
                    continue;
                OnStoppedUnexpectedly($"its disk overlay grew to {used / MiB} MB, over the quota of {quotaBytes / MiB} MB");
                if (_process is { } process)
                    await process.StopAsync(_qmp is null ? null : QuitAsync).ConfigureAwait(false);
                return;
            }
        }
        catch (OperationCanceledException)
        {
            // The machine is gone.
        }
        catch (QmpConnectionClosedException)
        {
            // QEMU went away while being stopped: stopped either way.
        }
    }
}
