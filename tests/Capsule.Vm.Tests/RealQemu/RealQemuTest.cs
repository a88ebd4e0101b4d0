using Capsule.Vm.Machines;

namespace Capsule.Vm.Tests.RealQemu;

/// <summary>Helpers of the real-QEMU tests: skipping, bounded guest calls, process checks.</summary>
public abstract class RealQemuTest(QemuMachineFixture fixture)
{
    /// <summary>Guest work under TCG on a busy host is slow; this only keeps a hang from lasting forever.</summary>
    protected static readonly TimeSpan GuestTimeout = TimeSpan.FromMinutes(3);

    protected QemuMachineFixture Fixture { get; } = fixture;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Skips the test (with the reason) when QEMU or the image is missing.</summary>
    protected void RequireQemu() => Assert.SkipWhen(Fixture.SkipReason is not null, Fixture.SkipReason ?? "");

    internal static async Task<QemuMachine> StartAsync(QemuMachineHost host, int vcpuCount, int memoryMb, Dictionary<string, string>? env = null) =>
        (QemuMachine)await host.StartAsync(new MachineSpec { VcpuCount = vcpuCount, MemoryMb = memoryMb, Env = env ?? [] }, Ct).WaitAsync(GuestTimeout, Ct);

    internal static async Task<ExecResult> ExecAsync(IMachine machine, ExecLanguageKind language, string code)
    {
        var request = new ExecRequest { Language = language, Code = code, Timeout = TimeSpan.FromSeconds(60) };
        var result = await machine.ExecAsync(request, null, Ct).WaitAsync(GuestTimeout, Ct);
        Assert.False(result.TimedOut, $"The exec timed out (exit code {result.ExitCode}); stderr: {result.Stderr}");
        return result;
    }

    internal static Task<ExecResult> PythonAsync(IMachine machine, string code) => ExecAsync(machine, ExecLanguageKind.Python, code);

    internal static Task<ExecResult> BashAsync(IMachine machine, string code) => ExecAsync(machine, ExecLanguageKind.Bash, code);

    /// <summary>True while /proc/pid exists and is not a zombie.</summary>
    protected static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault() is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Polls <paramref name="condition"/> every 100 ms until it holds; fails after <paramref name="timeout"/>.</summary>
    protected static async Task EventuallyAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out after {timeout.TotalSeconds:0} s waiting for {what}.");
            await Task.Delay(100, Ct);
        }
    }
}
