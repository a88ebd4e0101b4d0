using Capsule.Vm.Qemu;
using Capsule.Vm.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capsule.Vm.Tests.Qemu;

/// <summary>QemuProcess's spawn and stop sequence, on ordinary processes standing in for QEMU.</summary>
public sealed class QemuProcessTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StopAsync_NoQuit_EndsWithSigterm()
    {
        var process = await QemuProcess.StartAsync("sleep", ["1000"], _temp.File("qemu.log"), NullLogger.Instance, TimeProvider.System).Bounded();

        await process.StopAsync(null).Bounded();

        Assert.Equal(128 + 15, await process.Exited.Bounded());
    }

    [Fact]
    public async Task StopAsync_QuitGiven_CallsItFirstAndIsIdempotent()
    {
        var process = await QemuProcess.StartAsync("sleep", ["1000"], _temp.File("qemu.log"), NullLogger.Instance, TimeProvider.System).Bounded();
        var quits = 0;
        Task Quit(CancellationToken cancellationToken)
        {
            quits++;
            PosixSignals.Send(process.Pid, 2); // SIGINT stands in for QMP quit
            return Task.CompletedTask;
        }

        var first = process.StopAsync(Quit);
        var second = process.StopAsync(Quit);
        await first.Bounded();

        Assert.Same(first, second);
        Assert.Equal(1, quits);
        Assert.Equal(128 + 2, await process.Exited.Bounded());
    }

    [Fact]
    public async Task StopAsync_SigtermIgnored_EndsWithSigkill()
    {
        var log = _temp.File("qemu.log");
        var process = await QemuProcess.StartAsync("sh", ["-c", "trap '' TERM; echo trap-set; exec sleep 1000"], log, NullLogger.Instance, TimeProvider.System).Bounded();
        while (!File.ReadAllText(log).Contains("trap-set", StringComparison.Ordinal))
            await Task.Delay(20, Ct).Bounded(); // SIGTERM before the trap would end the test the wrong way

        await process.StopAsync(null).Bounded();

        Assert.Equal(128 + 9, await process.Exited.Bounded());
    }

    [Fact]
    public async Task StartAsync_ProcessOutput_GoesToTheLogFile()
    {
        var log = _temp.File("qemu.log");
        var process = await QemuProcess.StartAsync("sh", ["-c", "echo to-stdout; echo to-stderr >&2"], log, NullLogger.Instance, TimeProvider.System).Bounded();

        Assert.Equal(0, await process.Exited.Bounded());
        await process.StopAsync(null).Bounded();

        var text = await File.ReadAllTextAsync(log, Ct);
        Assert.Contains("to-stdout", text, StringComparison.Ordinal);
        Assert.Contains("to-stderr", text, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}
