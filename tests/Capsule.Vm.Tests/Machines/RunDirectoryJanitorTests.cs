using System.Diagnostics;
using Capsule.Vm.Machines;
using Capsule.Vm.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Capsule.Vm.Tests.Machines;

public sealed class RunDirectoryJanitorTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CleanAsync_LeftoverFolderWithLiveProcess_KillsItAndDeletesTheFolder()
    {
        var run = Directory.CreateDirectory(_temp.File("run")).FullName;
        var leftover = Directory.CreateDirectory(Path.Combine(run, "vm-0123abcd")).FullName;
        // The process's command line names the folder, as QEMU's does (-pidfile <folder>/qemu.pid ...).
        File.CreateSymbolicLink(Path.Combine(leftover, "sleep"), "/bin/sleep");
        using var sleeper = Process.Start(new ProcessStartInfo(Path.Combine(leftover, "sleep"), "1000"))!;
        await File.WriteAllTextAsync(Path.Combine(leftover, "qemu.pid"), $"{sleeper.Id}\n", Ct);

        var removed = await Janitor(run).CleanAsync(_ => false, Ct).Bounded();

        await sleeper.WaitForExitAsync(Ct).Bounded();
        Assert.Equal(1, removed);
        Assert.False(Directory.Exists(leftover));
        Assert.Equal(137, sleeper.ExitCode);
    }

    [Fact]
    public async Task CleanAsync_PidOfUnrelatedProcess_LeavesThatProcessAlone()
    {
        var run = Directory.CreateDirectory(_temp.File("run")).FullName;
        var leftover = Directory.CreateDirectory(Path.Combine(run, "vm-89abcdef")).FullName;
        using var unrelated = Process.Start(new ProcessStartInfo("/bin/sleep", "1000"))!;
        await File.WriteAllTextAsync(Path.Combine(leftover, "qemu.pid"), $"{unrelated.Id}", Ct);
        try
        {
            var removed = await Janitor(run).CleanAsync(_ => false, Ct).Bounded();

            Assert.Equal(1, removed);
            Assert.False(Directory.Exists(leftover));
            Assert.False(unrelated.HasExited);
        }
        finally
        {
            unrelated.Kill();
        }
    }

    [Fact]
    public async Task CleanAsync_LiveMachineAndForeignFolders_AreKept()
    {
        var run = Directory.CreateDirectory(_temp.File("run")).FullName;
        var live = Directory.CreateDirectory(Path.Combine(run, "vm-aaaabbbb")).FullName;
        var foreign = Directory.CreateDirectory(Path.Combine(run, "not-a-machine")).FullName;

        var removed = await Janitor(run).CleanAsync(id => id == "vm-aaaabbbb", Ct).Bounded();

        Assert.Equal(0, removed);
        Assert.True(Directory.Exists(live));
        Assert.True(Directory.Exists(foreign));
    }

    [Fact]
    public async Task CleanAsync_NoRunDirectory_RemovesNothing()
    {
        var removed = await Janitor(_temp.File("absent")).CleanAsync(_ => false, Ct).Bounded();

        Assert.Equal(0, removed);
    }

    private static RunDirectoryJanitor Janitor(string runDirectory) =>
        new(Options.Create(new VmOptions { RunDirectory = runDirectory }), NullLogger<RunDirectoryJanitor>.Instance, TimeProvider.System);

    public void Dispose() => _temp.Dispose();
}
