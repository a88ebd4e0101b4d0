using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Capsule.Vm.Machines;
using Capsule.Vm.Qemu;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Capsule.Vm.Tests.RealQemu;

/// <summary>
/// Plays a server that crashes: this test assembly started again with <see cref="EnvName"/> set runs, before xunit
/// starts, a host whose warm pool holds one snap1 machine, prints <c>POOLED &lt;folder&gt; &lt;pid&gt;</c>, and waits to
/// be killed. The test kills it with SIGKILL and checks what is left.
/// </summary>
internal static class PoolCrashHelper
{
    public const string EnvName = "CAPSULE_VM_TESTS_POOL_HELPER";

#pragma warning disable CA2255 // A test executable, not a library: the initializer turns this process into the helper.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RunIfAsked()
    {
        var json = Environment.GetEnvironmentVariable(EnvName);
        if (string.IsNullOrEmpty(json))
            return;
        var settings = JsonSerializer.Deserialize<Dictionary<string, string>>(json)!;
        var options = new VmOptions
        {
            ImageDirectory = settings["image"],
            SnapshotDirectory = settings["snapshots"],
            RunDirectory = settings["run"],
            WarmPoolSize = 1,
            WarmPoolVcpus = "1",
        };
        var host = new QemuMachineHost(Options.Create(options), new HostProbe(), NullLoggerFactory.Instance, TimeProvider.System);
        host.StartPool();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (host.PooledCount(1) == 0 && DateTime.UtcNow < deadline)
            Thread.Sleep(100);
        var folder = Directory.EnumerateDirectories(options.RunDirectory).Single();
        Console.WriteLine($"POOLED {folder} {File.ReadAllText(Path.Combine(folder, "qemu.pid")).Trim()}");
        Console.Out.Flush();
        Thread.Sleep(Timeout.Infinite);
    }

    public static Process Start(VmOptions options)
    {
        var startInfo = new ProcessStartInfo(Environment.ProcessPath!, [typeof(PoolCrashHelper).Assembly.Location])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) != "dotnet")
            startInfo.ArgumentList.Clear(); // running as the apphost: no dll argument
        startInfo.Environment[EnvName] = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["image"] = options.ImageDirectory,
            ["snapshots"] = options.SnapshotDirectory,
            ["run"] = options.RunDirectory,
        });
        return Process.Start(startInfo)!;
    }

    public static async Task<(string Folder, int Pid)> WaitUntilPooledAsync(Process helper, TimeSpan timeout, CancellationToken cancellationToken)
    {
        while (true)
        {
            var line = await helper.StandardOutput.ReadLineAsync(cancellationToken).AsTask().WaitAsync(timeout, cancellationToken)
                ?? throw new InvalidOperationException("The pool helper exited before its machine was pooled.");
            var parts = line.Split(' ');
            if (parts is ["POOLED", var folder, var pid])
                return (folder, int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
