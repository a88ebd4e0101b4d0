using System.Diagnostics;
using Capsule.Vm.Machines;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Capsule.Vm.Tests.RealQemu;

/// <summary>The warm pool: hand-over and refill, size 0, capacity, and cleanup at shutdown and after a crash.</summary>
[Collection(QemuMachineCollection.Name)]
public sealed class WarmPoolTests(QemuMachineFixture fixture) : RealQemuTest(fixture)
{
    private static readonly TimeSpan FillTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task StartAsync_PooledMachineWaiting_HandsItOverThenRefills()
    {
        RequireQemu();
        await using var host = Fixture.NewHost(o => (o.WarmPoolSize, o.WarmPoolVcpus) = (1, "1"));
        host.StartPool();
        await EventuallyAsync(() => host.PooledCount(1) == 1, FillTimeout, "the pool to fill");
        var pooledId = MachineIds(host).Single();
        var pooledPid = PidOf(host, pooledId);
        Assert.Equal("S", State(pooledPid)[..1]); // paused: its vCPU threads sleep

        var stopwatch = Stopwatch.StartNew();
        await using var machine = await StartAsync(host, 1, 256, new() { ["CAPSULE_POOL"] = "handed-over" });
        TestContext.Current.SendDiagnosticMessage($"hand-over from the pool took {stopwatch.ElapsedMilliseconds} ms");
        var result = await BashAsync(machine, "echo $CAPSULE_POOL");

        Assert.Equal(pooledId, machine.MachineId);
        Assert.Equal("handed-over\n", result.Stdout);
        await EventuallyAsync(() => host.PooledCount(1) == 1, FillTimeout, "the pool to refill");
        Assert.Equal(2, MachineIds(host).Count);
        Assert.Equal(2, host.Capacity.Machines);
        Assert.Equal(1, host.Capacity.PooledMachines);
        Assert.Equal(256 + 128, host.Capacity.MemoryCommittedMb);
        Assert.Equal([new WarmPoolInfo(1, 1, 1)], host.Capacity.WarmPools);
    }

    [Fact]
    public async Task StartAsync_PoolSizeZero_RestoresAndPoolsNothing()
    {
        RequireQemu();
        await using var host = Fixture.NewHost(o => (o.WarmPoolSize, o.WarmPoolVcpus) = (0, "1"));
        host.StartPool();

        await using var machine = await StartAsync(host, 1, 256);
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        var result = await PythonAsync(machine, "print(6 * 7)");

        Assert.Equal("42\n", result.Stdout);
        Assert.Equal(0, host.PooledCount(1));
        Assert.Equal([machine.MachineId], MachineIds(host));
    }

    [Fact]
    public async Task StartAsync_AtMaxMachinesWithAMachinePooledForAnotherShape_EvictsItAndPausesTheRefill()
    {
        RequireQemu();
        await using var host = Fixture.NewHost(o => (o.WarmPoolSize, o.WarmPoolVcpus, o.MaxMachines) = (1, "2", 1));
        host.StartPool();
        await EventuallyAsync(() => host.PooledCount(2) == 1, FillTimeout, "the pool to fill");
        var pooledId = MachineIds(host).Single();

        await using var machine = await StartAsync(host, 1, 256);
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);

        Assert.NotEqual(pooledId, machine.MachineId);
        await EventuallyAsync(() => MachineIds(host).SequenceEqual([machine.MachineId]), TimeSpan.FromSeconds(30), "the evicted machine to go");
        Assert.Equal(0, host.PooledCount(2));
        var refused = Assert.Throws<MachineException>(() => host.EnsureCapacity(new MachineSpec { VcpuCount = 1, MemoryMb = 256 }));
        Assert.Equal(MachineErrorCode.CapacityExhausted, refused.Code);
        Assert.Contains("already runs 1 machines", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisposeAsync_HostWithPooledMachines_KillsThemAndDeletesTheirFolders()
    {
        RequireQemu();
        var host = Fixture.NewHost(o => (o.WarmPoolSize, o.WarmPoolVcpus) = (2, "1"));
        host.StartPool();
        await EventuallyAsync(() => host.PooledCount(1) == 2, FillTimeout, "the pool to fill");
        var pids = MachineIds(host).Select(id => PidOf(host, id)).ToList();
        Assert.Equal(2, pids.Count);
        Assert.All(pids, pid => Assert.True(IsRunning(pid)));

        await host.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.All(pids, pid => Assert.False(IsRunning(pid), $"pooled QEMU pid {pid} is still running"));
        Assert.Empty(MachineIds(host));
    }

    [Fact]
    public async Task ServerCrash_WithPooledMachine_QemuDiesWithItAndTheJanitorRemovesTheFolder()
    {
        RequireQemu();
        var options = Fixture.NewOptions();
        using var helper = PoolCrashHelper.Start(options);
        var (folder, pid) = await PoolCrashHelper.WaitUntilPooledAsync(helper, FillTimeout, Ct);
        Assert.True(IsRunning(pid));

        helper.Kill(); // SIGKILL: no shutdown code runs
        await helper.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await EventuallyAsync(() => !IsRunning(pid), TimeSpan.FromSeconds(30), $"QEMU pid {pid} to die with its parent");
        Assert.True(Directory.Exists(folder));

        var janitor = new RunDirectoryJanitor(Options.Create(options), NullLogger<RunDirectoryJanitor>.Instance, TimeProvider.System);
        var removed = await janitor.CleanAsync(_ => false, Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(1, removed);
        Assert.False(Directory.Exists(folder));
    }

    private static List<string> MachineIds(QemuMachineHost host)
    {
        var run = Path.GetFullPath(host.RunDirectory);
        return Directory.Exists(run) ? [.. Directory.EnumerateDirectories(run).Select(Path.GetFileName).OfType<string>()] : [];
    }

    private static int PidOf(QemuMachineHost host, string machineId) =>
        int.Parse(File.ReadAllText(Path.Combine(host.RunDirectory, machineId, "qemu.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The state letter of /proc/pid/stat and the rest.</summary>
    private static string State(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..];
    }
}
