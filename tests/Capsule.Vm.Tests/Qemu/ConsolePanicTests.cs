using Capsule.Vm.Qemu;

namespace Capsule.Vm.Tests.Qemu;

public sealed class ConsolePanicTests
{
    [Fact]
    public void Classify_NoPanic_IsNull()
    {
        Assert.Null(ConsolePanic.Classify("[    0.000000] Linux version 6.1\ncapsule-agent: info serving"));
    }

    [Fact]
    public void Classify_SysrqPanic_IsCrashedWithThePanicLine()
    {
        var console = "[   41.250001] sysrq: Trigger a crash\n[   41.250002] Kernel panic - not syncing: sysrq triggered crash\n"
            + "[   41.250003] CPU: 0 PID: 1 Comm: bash\n[   41.250004] ---[ end Kernel panic - not syncing: sysrq triggered crash ]---";

        var exit = ConsolePanic.Classify(console);

        Assert.Equal(new MachineExit(MachineExitReason.Crashed, "the guest kernel panicked: Kernel panic - not syncing: sysrq triggered crash"), exit);
    }

    [Theory]
    [InlineData("[   12.5] Kernel panic - not syncing: Out of memory: compulsory panic_on_oom is enabled")]
    [InlineData("[   12.5] Kernel panic - not syncing: Out of memory and no killable processes...")]
    [InlineData("[   12.4] Kernel panic - not syncing: System is deadlocked on memory")]
    public void Classify_OutOfMemoryPanic_IsOom(string panicLine)
    {
        var exit = ConsolePanic.Classify("[   12.3] python3 invoked oom-killer\n" + panicLine);

        Assert.Equal(MachineExitReason.Oom, exit!.Reason);
        Assert.StartsWith("the guest ran out of memory and its kernel panicked: Kernel panic - not syncing:", exit.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_HostileConsole_DetailIsClippedAndSingleLine()
    {
        var exit = ConsolePanic.Classify("Kernel panic - not syncing: " + new string('\u001b', 10) + new string('y', 10_000));

        Assert.True(exit!.Detail.Length < 400, $"{exit.Detail.Length} chars");
        Assert.DoesNotContain('\u001b', exit.Detail);
    }
}
