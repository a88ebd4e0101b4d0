using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Capsule.Harness;

/// <summary>
/// A small "internet" on this machine for network tests, soak and bench: a network namespace <c>ctnet-&lt;pid&gt;</c>
/// joined to the root namespace by a veth pair on <c>10.77.&lt;k&gt;.0/24</c>, running tests/Capsule.TestInternet
/// (HTTP 80/8080, HTTPS 443 and UDP 9999 on two servers, a DNS server for the <c>.test</c> zone). A server under test
/// uses <see cref="DnsAddress"/> as its upstream and opens <see cref="Range"/> with <c>AllowedPrivateCidrs</c>; nothing
/// its guests do can then reach past this machine. Set up:
/// 1. namespaces of test internets whose process is gone are removed (a killed test run leaves them);
/// 2. the namespace and the veth pair are made, addresses .1 (root side), .2 (DNS), .3 (alpha), .4 (beta) given;
/// 3. the servers start inside the namespace (<c>ip netns exec</c>) and print "ready"; then one line per DNS question.
/// Dispose stops the process and deletes the namespace (which deletes the veth pair).
/// </summary>
internal sealed class TestInternet : IAsyncDisposable
{
    private const string NamespacePrefix = "ctnet-";

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _questions = new();

    private TestInternet(string ns, int subnet, Process process)
    {
        Namespace = ns;
        _process = process;
        Range = Invariant($"10.77.{subnet}.0/24");
        RootAddress = Invariant($"10.77.{subnet}.1");
        DnsAddress = Invariant($"10.77.{subnet}.2");
        Alpha = Invariant($"10.77.{subnet}.3");
        Beta = Invariant($"10.77.{subnet}.4");
    }

    public string Namespace { get; }

    /// <summary>The whole test internet, for <c>Capsule:Network:AllowedPrivateCidrs</c>.</summary>
    public string Range { get; }

    /// <summary>The root namespace's end of the link: a host address, which no guest may reach.</summary>
    public string RootAddress { get; }

    public string DnsAddress { get; }

    /// <summary>Server "alpha": names alpha.test and cdn.test.</summary>
    public string Alpha { get; }

    /// <summary>Server "beta": name beta.test.</summary>
    public string Beta { get; }

    /// <summary>Every name the DNS server was asked for so far, lower case, in order.</summary>
    public IReadOnlyList<string> Questions => [.. _questions];

    /// <summary>Null when this machine can build a test internet, else why not (for a skip).</summary>
    public static string? MissingReason()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
            return "network namespaces need root on Linux";
        if (!File.Exists("/usr/sbin/ip") && !File.Exists("/usr/bin/ip") && !File.Exists("/sbin/ip"))
            return "iproute2 (ip) is not installed";
        return File.Exists(ProgramDll()) ? null : $"the test internet is not built: {ProgramDll()}";
    }

    public static async Task<TestInternet> StartAsync(CancellationToken cancellationToken)
    {
        await RemoveAbandonedAsync(cancellationToken);
        var pid = Environment.ProcessId;
        var subnet = 20 + (pid % 200);
        var ns = Invariant($"{NamespacePrefix}{pid}");
        var rootLink = Invariant($"ctn{pid}r");
        var nsLink = Invariant($"ctn{pid}n");
        await IpAsync(cancellationToken, "netns", "add", ns);
        try
        {
            await IpAsync(cancellationToken, "link", "add", rootLink, "type", "veth", "peer", "name", nsLink, "netns", ns);
            await IpAsync(cancellationToken, "addr", "add", Invariant($"10.77.{subnet}.1/24"), "dev", rootLink);
            await IpAsync(cancellationToken, "link", "set", rootLink, "up");
            foreach (var host in new[] { 2, 3, 4 })
                await IpAsync(cancellationToken, "-n", ns, "addr", "add", Invariant($"10.77.{subnet}.{host}/24"), "dev", nsLink);
            await IpAsync(cancellationToken, "-n", ns, "link", "set", nsLink, "up");
            await IpAsync(cancellationToken, "-n", ns, "link", "set", "lo", "up");
            await IpAsync(cancellationToken, "-n", ns, "route", "add", "default", "via", Invariant($"10.77.{subnet}.1"));
            var info = new ProcessStartInfo("ip")
            {
                ArgumentList =
                {
                    "netns", "exec", ns, "dotnet", ProgramDll(),
                    "--dns", Invariant($"10.77.{subnet}.2"),
                    "--server", Invariant($"alpha=10.77.{subnet}.3"),
                    "--server", Invariant($"beta=10.77.{subnet}.4"),
                    "--zone", Invariant($"alpha.test=10.77.{subnet}.3"),
                    "--zone", Invariant($"cdn.test=10.77.{subnet}.3"),
                    "--zone", Invariant($"beta.test=10.77.{subnet}.4"),
                    "--zone", "loopback.test=127.0.0.1",
                    "--zone", "metadata.test=169.254.169.254",
                    "--zone", Invariant($"hostside.test=10.77.{subnet}.1"),
                    "--zone", "private.test=192.168.77.7",
                },
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            info.Environment["DOTNET_EnableDiagnostics"] = "0";
            var process = await ChildSpawner.StartAsync(info);
            var internet = new TestInternet(ns, subnet, process);
            await internet.WaitReadyAsync(cancellationToken);
            return internet;
        }
        catch
        {
            await RunAsync("ip", ["netns", "del", ns], CancellationToken.None);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        await RunAsync("ip", ["netns", "del", Namespace], CancellationToken.None);
    }

    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new ConcurrentQueue<string>();
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            if (e.Data == "ready")
                ready.TrySetResult();
            else if (e.Data.StartsWith("dns ", StringComparison.Ordinal))
                _questions.Enqueue(e.Data.Split(' ')[1]);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                errors.Enqueue(e.Data);
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var exited = _process.WaitForExitAsync(cancellationToken);
        var first = await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromMinutes(1), cancellationToken));
        if (first != ready.Task)
        {
            await DisposeAsync();
            throw new InvalidOperationException($"The test internet did not start:\n{string.Join('\n', errors)}");
        }
    }

    private static async Task RemoveAbandonedAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists("/run/netns"))
            return;
        foreach (var path in Directory.GetFiles("/run/netns", NamespacePrefix + "*"))
        {
            var name = Path.GetFileName(path);
            if (int.TryParse(name.AsSpan(NamespacePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var owner)
                && !Directory.Exists(Invariant($"/proc/{owner}")))
                await RunAsync("ip", ["netns", "del", name], cancellationToken);
        }
    }

    private static async Task IpAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var (exitCode, error) = await RunAsync("ip", arguments, cancellationToken);
        if (exitCode != 0)
            throw new InvalidOperationException($"ip {string.Join(' ', arguments)} failed: {error}");
    }

    private static async Task<(int ExitCode, string Error)> RunAsync(string program, string[] arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        _ = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, (await error).Trim());
    }

    private static string ProgramDll() =>
        Path.Combine(RepoRoot.Find(), "tests", "Capsule.TestInternet", "bin", "Release", "net10.0", "Capsule.TestInternet.dll");

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
