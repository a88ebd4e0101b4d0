using System.Diagnostics;

namespace Capsule.Vm.Tests.RealQemu;

/// <summary>virtio-mem grows a restored machine (128 MB base in the snapshot) to the memory asked for, visible in the guest.</summary>
[Collection(QemuMachineCollection.Name)]
public sealed class MemoryTests(QemuMachineFixture fixture) : RealQemuTest(fixture)
{
    [Theory]
    [InlineData(512)]
    [InlineData(2048)]
    public async Task StartAsync_MemoryAboveBase_GuestMemTotalGrowsToIt(int memoryMb)
    {
        RequireQemu();
        await using var host = Fixture.NewHost();
        var stopwatch = Stopwatch.StartNew();
        await using var machine = await StartAsync(host, 1, memoryMb);

        await machine.MemoryPlugged.WaitAsync(GuestTimeout, Ct);
        TestContext.Current.SendDiagnosticMessage($"{memoryMb} MB plugged {stopwatch.ElapsedMilliseconds} ms after the start began");
        // QEMU counts a block plugged when the guest asks for it; the guest onlines it just after (slower on a loaded host).
        var low = memoryMb - 64 - memoryMb / 50;
        var stats = await machine.GetStatsAsync(Ct).WaitAsync(GuestTimeout, Ct);
        using (var patience = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            patience.CancelAfter(GuestTimeout);
            while (stats.MemTotalMb < low)
            {
                await Task.Delay(100, patience.Token);
                stats = await machine.GetStatsAsync(patience.Token);
            }
        }
        var meminfo = await BashAsync(machine, "grep MemTotal /proc/meminfo | tr -s ' ' | cut -d' ' -f2");

        Assert.Equal(memoryMb, machine.MemoryMb);
        // The guest kernel keeps some memory for itself (about 30 MB of the base, 1.6% of plugged memory for its page
        // tables); with only the 128 MB base MemTotal would be about 100 MB.
        Assert.InRange(stats.MemTotalMb, low, memoryMb);
        Assert.Equal(stats.MemTotalMb, long.Parse(meminfo.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture) / 1024);
    }

    [Fact]
    public async Task ExecStartedBeforeMemoryIsPlugged_MemoryLimitAndTmpfsFollowTheGrowth()
    {
        RequireQemu();
        await using var host = Fixture.NewHost();
        await using var machine = await StartAsync(host, 1, 1024);

        // Started right after the hand-over, which does not wait for virtio-mem: the exec reads the user tree's limit
        // and the size of /tmp as the guest grows, without another exec (each exec start also refreshes the limit) in
        // between.
        var probe = await PythonAsync(machine, """
            import os, time
            def mem_total():
                with open('/proc/meminfo') as meminfo:
                    return int(meminfo.readline().split()[1]) * 1024
            def memory_max():
                with open('/sys/fs/cgroup/user/memory.max') as limit:
                    return int(limit.read())
            def tmp_size():
                fs = os.statvfs('/tmp')
                return fs.f_blocks * fs.f_frsize
            first = mem_total(), memory_max()
            deadline = time.monotonic() + 170
            while mem_total() < 900 << 20 and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(1)
            # The tmpfs remount waits until the memory has stayed the same for a second (MemoryHotplugWatch.SettleTime).
            deadline = time.monotonic() + 60
            while tmp_size() < mem_total() * 0.45 and time.monotonic() < deadline:
                time.sleep(0.1)
            print(*first, mem_total(), memory_max(), tmp_size())
            """);
        await machine.MemoryPlugged.WaitAsync(GuestTimeout, Ct);

        var numbers = probe.Stdout.Split(' ', StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        Assert.True(numbers.Length == 5, $"stdout: {probe.Stdout} stderr: {probe.Stderr}");
        var (totalFirst, maxFirst, total, max, tmp) = (numbers[0], numbers[1], numbers[2], numbers[3], numbers[4]);
        TestContext.Current.SendDiagnosticMessage($"at the exec's start MemTotal {totalFirst >> 20} MB, memory.max {maxFirst >> 20} MB; then {total >> 20} MB, {max >> 20} MB");
        Assert.True(total >= 900 << 20, $"MemTotal only reached {total >> 20} MB");
        // The agent leaves 32 MB to 64 MB of MemTotal to itself and the kernel (UserCgroups.ReservedBytes).
        Assert.InRange(max, total - (64 << 20), total - (32 << 20));
        // /tmp is half the memory, as at boot, but of the memory present now (it was 46 MB whatever the session's size).
        Assert.InRange(tmp, total * 45 / 100, total * 55 / 100);
    }

    [Fact]
    public async Task Agent_CodeMappingsLockedAndHeapNot()
    {
        RequireQemu();
        await using var host = Fixture.NewHost();
        await using var machine = await StartAsync(host, 1, 256);

        // The agent is PID 1. smaps' VmFlags say `lo` for a locked mapping.
        var probe = await PythonAsync(machine, """
            import os
            locked, path = set(), None
            with open('/proc/1/smaps') as smaps:
                for line in smaps:
                    first = line.split()[0]
                    if '-' in first and not first.endswith(':'):
                        parts = line.split()
                        path = parts[5] if len(parts) > 5 else '(anonymous)'
                    elif line.startswith('VmFlags:') and 'lo' in line.split()[1:]:
                        locked.add(path)
            print(os.readlink('/proc/1/exe'))
            print(*sorted(locked), sep='\n')
            """);

        var lines = probe.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length > 1, $"nothing of the agent is locked; stdout: {probe.Stdout} stderr: {probe.Stderr}");
        var (agentPath, locked) = (lines[0], lines[1..]);
        // Its code stays resident under memory pressure (AgentMemoryLock); its heap is not locked, so the GC can give
        // memory back.
        Assert.Contains(agentPath, locked);
        Assert.All(locked, path => Assert.StartsWith("/", path, StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartAsync_BaseMemoryOnly_PlugsNothing()
    {
        RequireQemu();
        await using var host = Fixture.NewHost();
        await using var machine = await StartAsync(host, 1, 128);

        var stats = await machine.GetStatsAsync(Ct).WaitAsync(GuestTimeout, Ct);

        Assert.True(machine.MemoryPlugged.IsCompleted);
        Assert.Equal(128, machine.MemoryMb);
        Assert.InRange(stats.MemTotalMb, 64, 128);
    }
}
