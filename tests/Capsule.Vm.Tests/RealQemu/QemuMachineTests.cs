using System.Security.Cryptography;
using Capsule.Vm.Machines;
using Capsule.Vm.Tests.Support;

namespace Capsule.Vm.Tests.RealQemu;

/// <summary>The VM layer against real QEMU and the real guest agent, on one shared machine.</summary>
[Collection(QemuMachineCollection.Name)]
[TestCaseOrderer(typeof(DisposeLastOrderer))]
public sealed class QemuMachineTests(QemuMachineFixture fixture) : RealQemuTest(fixture)
{
    /// <summary>The shared machine (restored from snap2); skips the test when QEMU or the image is missing.</summary>
    private QemuMachine Machine
    {
        get
        {
            RequireQemu();
            return Fixture.Machine;
        }
    }

    [Fact]
    public async Task ExecAsync_PythonPrint_ReturnsStdout()
    {
        var result = await ExecAsync(ExecLanguageKind.Python, "print('hello from the guest')");

        Assert.Equal("hello from the guest\n", result.Stdout);
        Assert.Equal(0, result.ExitCode);
        Assert.False(result.TimedOut);
    }

    [Fact]
    public async Task ExecAsync_PythonVariable_PersistsToTheNextExec()
    {
        await ExecAsync(ExecLanguageKind.Python, "persisted_value = 41");
        var result = await ExecAsync(ExecLanguageKind.Python, "print(persisted_value + 1)");

        Assert.Equal("42\n", result.Stdout);
    }

    [Fact]
    public async Task ExecAsync_Bash_RunsInAppWithItsExitStatus()
    {
        var result = await ExecAsync(ExecLanguageKind.Bash, "pwd; echo oops >&2; exit 3");

        Assert.Equal("/app\n", result.Stdout);
        Assert.Equal("oops\n", result.Stderr);
        Assert.Equal(3, result.ExitCode);
    }

    [Fact]
    public async Task ExecAsync_EnvFromSpecAndSetEnv_IsSeenByBashAndPython()
    {
        await Machine.SetEnvAsync(new Dictionary<string, string> { ["CAPSULE_TEST_LATER"] = "set-later" }, Ct).WaitAsync(GuestTimeout, Ct);

        var bash = await ExecAsync(ExecLanguageKind.Bash, $"echo ${QemuMachineFixture.SpecEnvName} $CAPSULE_TEST_LATER");
        var python = await ExecAsync(ExecLanguageKind.Python, "import os; print(os.environ['CAPSULE_TEST_LATER'])");

        Assert.Equal($"{QemuMachineFixture.SpecEnvValue} set-later\n", bash.Stdout);
        Assert.Equal("set-later\n", python.Stdout);
    }

    [Fact]
    public async Task GetStatsAsync_AfterStart_MemTotalHasGrownToTheRequestedMemory()
    {
        await Machine.MemoryPlugged.WaitAsync(GuestTimeout, Ct);
        var stats = await Machine.GetStatsAsync(Ct).WaitAsync(GuestTimeout, Ct);

        Assert.Equal(QemuMachineFixture.MemoryMb, Machine.MemoryMb);
        // The guest kernel keeps some memory for itself; with only the 128 MB base MemTotal would be ~100 MB.
        Assert.InRange(stats.MemTotalMb, QemuMachineFixture.MemoryMb - 128, QemuMachineFixture.MemoryMb);
        Assert.True(stats.Uptime > TimeSpan.Zero);
    }

    [Fact]
    public async Task WriteFileThenReadFile_ThreeMegabytes_RoundTripByHash()
    {
        var content = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 7);

        var written = await Machine.WriteFileAsync("/app/test-data/blob.bin", new MemoryStream(content), Ct).WaitAsync(GuestTimeout, Ct);
        using var copy = new MemoryStream();
        var read = await Machine.ReadFileAsync("/app/test-data/blob.bin", copy, Ct).WaitAsync(GuestTimeout, Ct);

        Assert.Equal(content.Length, written);
        Assert.Equal(content.Length, read);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(copy.ToArray()));
    }

    [Fact]
    public async Task ReadFileAsync_MissingFile_ThrowsFileNotFound()
    {
        var machine = Machine;

        var error = await Assert.ThrowsAsync<MachineException>(
            () => machine.ReadFileAsync("/app/does-not-exist", Stream.Null, Ct).WaitAsync(GuestTimeout, Ct));

        Assert.Equal(MachineErrorCode.FileNotFound, error.Code);
    }

    [Fact]
    public async Task DisposeAsync_Machine_KillsQemuAndDeletesRunFolder()
    {
        var machine = Machine;
        var pid = machine.Pid;
        var folder = machine.FolderPath;
        Assert.True(Directory.Exists(folder));

        await machine.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.False(Directory.Exists(folder));
        Assert.False(IsRunning(pid), $"QEMU pid {pid} is still running");
        var exit = await machine.Exited.Bounded();
        Assert.Equal(MachineExitReason.Destroyed, exit.Reason);
        await Assert.ThrowsAsync<MachineException>(() => machine.GetStatsAsync(Ct));
    }

    private Task<ExecResult> ExecAsync(ExecLanguageKind language, string code) => ExecAsync(Machine, language, code);
}
