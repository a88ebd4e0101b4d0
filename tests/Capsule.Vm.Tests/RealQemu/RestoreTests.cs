using Capsule.Vm.Machines;

namespace Capsule.Vm.Tests.RealQemu;

/// <summary>
/// Two machines restored from the same snapshot (snap1) share nothing writable: python state, env, files, random
/// numbers; guest disk writes go to each machine's overlay and the snapshot's files are never modified.
/// </summary>
[Collection(QemuMachineCollection.Name)]
public sealed class RestoreTests(QemuMachineFixture fixture) : RealQemuTest(fixture), IAsyncLifetime
{
    private QemuMachineHost? _host;
    private QemuMachine? _a;
    private QemuMachine? _b;

    public async ValueTask InitializeAsync()
    {
        if (Fixture.SkipReason is not null)
            return;
        _host = Fixture.NewHost();
        _a = await StartAsync(_host, 1, 512, new() { ["CAPSULE_WHO"] = "a", ["CAPSULE_ONLY_A"] = "1" });
        _b = await StartAsync(_host, 1, 512, new() { ["CAPSULE_WHO"] = "b" });
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
            await _host.DisposeAsync();
    }

    private QemuMachine A
    {
        get
        {
            RequireQemu();
            return _a!;
        }
    }

    private QemuMachine B => _b!;

    [Fact]
    public async Task StartAsync_TwoMachinesFromOneSnapshot_PythonNamespaceStartsEmptyAndIsNotShared()
    {
        var listNames = "print(sorted(k for k in globals() if not k.startswith('__')))";

        var emptyInA = await PythonAsync(A, listNames);
        var emptyInB = await PythonAsync(B, listNames);
        await PythonAsync(A, "only_in_a = 1");
        var inA = await PythonAsync(A, "print(only_in_a); del only_in_a");
        var inB = await PythonAsync(B, "print('only_in_a' in globals())");

        Assert.Equal("[]\n", emptyInA.Stdout);
        Assert.Equal("[]\n", emptyInB.Stdout);
        Assert.Equal("1\n", inA.Stdout);
        Assert.Equal("False\n", inB.Stdout);
    }

    [Fact]
    public async Task StartAsync_DifferentEnvPerMachine_EachSeesOnlyItsOwn()
    {
        var bashA = await BashAsync(A, "echo \"$CAPSULE_WHO ${CAPSULE_ONLY_A:-unset}\"");
        var bashB = await BashAsync(B, "echo \"$CAPSULE_WHO ${CAPSULE_ONLY_A:-unset}\"");
        var pythonB = await PythonAsync(B, "import os; print(os.environ['CAPSULE_WHO'], os.environ.get('CAPSULE_ONLY_A', 'unset')); del os");

        Assert.Equal("a 1\n", bashA.Stdout);
        Assert.Equal("b unset\n", bashB.Stdout);
        Assert.Equal("b unset\n", pythonB.Stdout);
    }

    [Fact]
    public async Task WriteFile_InOneMachine_IsNotVisibleInTheOther()
    {
        await A.WriteFileAsync("/app/isolation/from-a.txt", new MemoryStream("a"u8.ToArray()), Ct).WaitAsync(GuestTimeout, Ct);
        await BashAsync(A, "echo a > /root/from-a.txt && echo a > /tmp/from-a.txt && sync");

        var error = await Assert.ThrowsAsync<MachineException>(
            () => B.ReadFileAsync("/app/isolation/from-a.txt", Stream.Null, Ct).WaitAsync(GuestTimeout, Ct));
        var inB = await BashAsync(B, "ls /app/isolation /root/from-a.txt /tmp/from-a.txt 2>&1; true");
        var inA = await BashAsync(A, "cat /app/isolation/from-a.txt /root/from-a.txt /tmp/from-a.txt");

        Assert.Equal(MachineErrorCode.FileNotFound, error.Code);
        Assert.Equal(3, inB.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.Contains("No such file", StringComparison.Ordinal)));
        Assert.Equal("aaa\n", inA.Stdout.Replace("\n", "", StringComparison.Ordinal) + "\n");
    }

    [Fact]
    public async Task StartAsync_TwoMachinesFromOneSnapshot_DrawDifferentRandomNumbers()
    {
        var code = "import os, random; print(os.urandom(8).hex(), random.random()); del os, random";

        var inA = await PythonAsync(A, code);
        var inB = await PythonAsync(B, code);

        Assert.Equal(0, inA.ExitCode);
        Assert.Equal(2, inA.Stdout.Split(' ').Length);
        var a = inA.Stdout.Split(' ');
        var b = inB.Stdout.Split(' ');
        Assert.NotEqual(a[0], b[0]);
        Assert.NotEqual(a[1], b[1]);
    }

    [Fact]
    public async Task GuestDiskWrite_LandsInTheMachinesOverlay_SnapshotDiskAndBaseImageUnchanged()
    {
        var (snapshot, _, diskHash) = Fixture.Snapshots[1];
        var baseDisk = new FileInfo(GuestImage.Resolve(Fixture.ImageDirectory).RootDisk);
        var baseBefore = (baseDisk.Length, baseDisk.LastWriteTimeUtc);
        var overlayBefore = A.DiskUsageBytes;

        var write = await BashAsync(A, "head -c 16777216 /dev/urandom > /app/overlay-test.bin && sync && stat -c %s /app/overlay-test.bin");

        Assert.Equal("16777216\n", write.Stdout);
        Assert.InRange(A.DiskUsageBytes - overlayBefore, 16L * 1024 * 1024, 64L * 1024 * 1024);
        Assert.Equal(diskHash, QemuMachineFixture.HashFile(snapshot.Files.Disk));
        baseDisk.Refresh();
        Assert.Equal(baseBefore, (baseDisk.Length, baseDisk.LastWriteTimeUtc));
        var inB = await BashAsync(B, "test -e /app/overlay-test.bin && echo present || echo absent");
        Assert.Equal("absent\n", inB.Stdout);
    }

    [Fact]
    public async Task Restore_GuestWritesMemory_SnapshotRamFileUnchanged()
    {
        var (snapshot, ramHash, _) = Fixture.Snapshots[1];

        // Dirty most of the guest's base memory, in both machines.
        var fill = "import os; b = bytearray(os.urandom(1024 * 1024) * 48); print(len(b)); del b, os";
        await PythonAsync(A, fill);
        await PythonAsync(B, fill);

        Assert.Equal(ramHash, QemuMachineFixture.HashFile(snapshot.Files.Ram));
        Assert.Equal(ramHash, QemuMachineFixture.HashFile(Fixture.Snapshots[1].Snapshot.Files.Ram));
    }
}
