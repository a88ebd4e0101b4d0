namespace Capsule.Vm.Tests.RealQemu;

/// <summary>
/// A guest kernel panic ends QEMU (<c>panic=-1</c>, <c>-no-reboot</c>); the machine's exit says so, read from the
/// console the host keeps, and an out-of-memory panic is told apart as <see cref="MachineExitReason.Oom"/>.
/// </summary>
[Collection(QemuMachineCollection.Name)]
public sealed class GuestPanicTests(QemuMachineFixture fixture) : RealQemuTest(fixture)
{
    [Fact]
    public async Task KernelPanic_EndsTheMachineAsCrashedWithThePanicLine()
    {
        RequireQemu();
        await using var host = Fixture.NewHost();
        var machine = await StartAsync(host, 1, 256);
        await using (machine)
        {
            var exec = BashAsync(machine, "echo c > /proc/sysrq-trigger");

            var exit = await machine.Exited.WaitAsync(GuestTimeout, Ct);
            var error = await Assert.ThrowsAsync<MachineException>(() => exec);

            Assert.Equal(MachineErrorCode.MachineGone, error.Code);
            Assert.Equal(MachineExitReason.Crashed, exit.Reason);
            // The panic line when the console carried it (it does on a quiet host), else the reset QEMU saw.
            Assert.True(exit.Detail.StartsWith("the guest kernel panicked: Kernel panic - not syncing: sysrq triggered crash", StringComparison.Ordinal)
                || exit.Detail == Capsule.Vm.Qemu.ConsolePanic.UnseenPanicDetail, exit.Detail);
        }
    }

    [Fact]
    public async Task OutOfMemoryPanic_EndsTheMachineAsOom()
    {
        RequireQemu();
        await using var host = Fixture.NewHost();
        var machine = await StartAsync(host, 1, 256);
        await using (machine)
        {
            // 2: panic on any OOM, the user cgroup's own included (the session's memory.max is reached before the
            // guest's memory runs out, so with 1 the cgroup's OOM killer would kill python and nothing would panic).
            await BashAsync(machine, "echo 2 > /proc/sys/vm/panic_on_oom");
            var exec = PythonAsync(machine, "chunks = []\nwhile True:\n    chunks.append(b'x' * (16 * 1024 * 1024))");

            var exit = await machine.Exited.WaitAsync(GuestTimeout, Ct);
            await Assert.ThrowsAsync<MachineException>(() => exec);

            Assert.Equal(MachineExitReason.Oom, exit.Reason);
            Assert.StartsWith("the guest ran out of memory and its kernel panicked: Kernel panic - not syncing: Out of memory", exit.Detail, StringComparison.Ordinal);
        }
    }
}
