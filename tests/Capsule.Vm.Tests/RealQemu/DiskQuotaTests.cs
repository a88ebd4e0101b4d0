namespace Capsule.Vm.Tests.RealQemu;

/// <summary>A machine whose disk overlay outgrows <see cref="VmOptions.DiskQuotaMb"/> is stopped, and says why.</summary>
[Collection(QemuMachineCollection.Name)]
public sealed class DiskQuotaTests(QemuMachineFixture fixture) : RealQemuTest(fixture)
{
    [Fact]
    public async Task GuestWritesBeyondDiskQuota_MachineStopsAsCrashedNamingTheQuota()
    {
        RequireQemu();
        await using var host = Fixture.NewHost(o => o.DiskQuotaMb = 48);
        await using var machine = await StartAsync(host, 1, 256);
        var pid = machine.Pid;

        await BashAsync(machine, "head -c 33554432 /dev/urandom > /app/within-quota.bin && sync");
        await Task.Delay(TimeSpan.FromSeconds(3), Ct);
        Assert.False(machine.Exited.IsCompleted, "the machine stopped while under its quota");
        try
        {
            await BashAsync(machine, "head -c 67108864 /dev/urandom > /app/over-quota.bin && sync");
        }
        catch (MachineException e) when (e.Code == MachineErrorCode.MachineGone)
        {
            // The watcher may stop the machine while the write is still running.
        }
        var exit = await machine.Exited.WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.Equal(MachineExitReason.Crashed, exit.Reason);
        Assert.Contains("over the quota of 48 MB", exit.Detail, StringComparison.Ordinal);
        await EventuallyAsync(() => !IsRunning(pid), TimeSpan.FromSeconds(30), "QEMU to stop");
    }
}
