using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Capsule.Vm.HostTools;
using Capsule.Vm.Network;
using Capsule.Vm.Network.Egress;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capsule.Bench;

/// <summary>
/// Part 6's figures: network slot set-up (the VM layer's own slots, on a bench-only instance number), and a guest HTTP
/// server reached through the app URL against the same server reached straight from its slot's namespace. All traffic
/// stays on this machine.
/// </summary>
internal static class NetworkBench
{
    private const int BenchInstance = 0xfe;
    private const int GuestPort = 8000;
    private const int BigFileMb = 50;

    /// <summary>Make-and-remove of slots one at a time, then <paramref name="parallel"/> made at once (each from the common start). Null when this host cannot make slots.</summary>
    public static async Task<(Stats Serial, Stats Parallel)?> SlotSetupAsync(int runs, int parallel, CancellationToken cancellationToken)
    {
        var layout = new SlotLayout(BenchInstance, new NetworkOptions().SlotPrefix);
        // The upstream is never asked: nothing resolves a name here.
        await using var egress = EgressHost.Start(new NetworkOptions { UpstreamDns = ["127.0.0.1"] }, layout, TimeProvider.System, NullLoggerFactory.Instance);
        await using var slots = new NetworkSlots(layout, egress, readyTarget: 0, NullLogger<NetworkSlots>.Instance);
        try
        {
            await slots.CleanAsync(cancellationToken);
        }
        catch (HostCommandException e)
        {
            Progress.Say($"slot set-up skipped: this host cannot make network slots ({e.Message})");
            return null;
        }
        try
        {
            var serial = new List<double>();
            for (var i = 0; i < runs; i++)
            {
                var watch = Stopwatch.StartNew();
                var slot = await slots.AcquireAsync(cancellationToken);
                serial.Add(watch.Elapsed.TotalMilliseconds);
                await slots.ReleaseAsync(slot);
            }
            var start = Stopwatch.StartNew();
            var made = await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
            {
                var slot = await slots.AcquireAsync(cancellationToken);
                return (Slot: slot, Ms: start.Elapsed.TotalMilliseconds);
            }));
            foreach (var (slot, _) in made)
                await slots.ReleaseAsync(slot);
            return (Stats.Of(serial), Stats.Of([.. made.Select(m => m.Ms)]));
        }
        finally
        {
            await slots.RemoveRootTableAsync(cancellationToken);
        }
    }

    /// <summary>
    /// A guest's <c>python3 -m http.server</c>: request latency (a small page) and download throughput (a 50 MB file),
    /// through the app URL from the host, and straight from the slot's namespace to the guest; curl's own timings
    /// (<c>time_total</c>, <c>speed_download</c>), so process start-up is not in the figures. Null without slots.
    /// </summary>
    public static async Task<ProxyFigures?> ProxyAsync(BenchServer server, int runs, CancellationToken cancellationToken)
    {
        var health = await server.HealthAsync(cancellationToken);
        if (health["network"]?.GetValue<bool>() != true)
        {
            Progress.Say($"proxy figures skipped: {health["network_reason"]}");
            return null;
        }
        var session = await server.CreateSessionAsync(512, 2, cancellationToken);
        try
        {
            await server.ExecuteAsync(session,
                $"mkdir -p /tmp/www && head -c {BigFileMb * 1000 * 1000} /dev/zero > /tmp/www/big && cd /tmp/www\n"
                + $"nohup python3 -m http.server {GuestPort} >/dev/null 2>&1 &\n"
                + $"for i in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:{GuestPort}/ && break; sleep 0.2; done; echo up",
                "bash", cancellationToken);
            var url = await server.Client.GetFromJsonAsync<JsonNode>(
                new Uri($"/v1/sessions/app-url/{session}?port={GuestPort}", UriKind.Relative), cancellationToken);
            var appUrl = url!["url"]!.GetValue<string>().TrimEnd('/');
            var ns = await SlotServingAsync(cancellationToken)
                ?? throw new InvalidOperationException($"no slot namespace answers on port {GuestPort}");
            var key = server.Client.DefaultRequestHeaders.GetValues("X-API-Key").Single();
            string[] viaProxy = ["curl", "-sSf", "-o", "/dev/null", "-H", $"X-API-Key: {key}"];
            string[] direct = ["ip", "netns", "exec", ns, "curl", "-sSf", "-o", "/dev/null"];
            var guest = $"http://169.254.0.21:{GuestPort}";

            var proxyMs = new List<double>();
            var directMs = new List<double>();
            for (var i = 0; i < runs; i++)
            {
                proxyMs.Add(await CurlAsync([.. viaProxy, "-w", "%{time_total}", $"{appUrl}/"], cancellationToken) * 1000);
                directMs.Add(await CurlAsync([.. direct, "-w", "%{time_total}", $"{guest}/"], cancellationToken) * 1000);
            }
            var proxyBps = new List<double>();
            var directBps = new List<double>();
            for (var i = 0; i < 3; i++)
            {
                proxyBps.Add(await CurlAsync([.. viaProxy, "-w", "%{speed_download}", $"{appUrl}/big"], cancellationToken));
                directBps.Add(await CurlAsync([.. direct, "-w", "%{speed_download}", $"{guest}/big"], cancellationToken));
            }
            return new ProxyFigures(Stats.Of(proxyMs), Stats.Of(directMs), Median(proxyBps) / 1e6, Median(directBps) / 1e6);
        }
        finally
        {
            await server.KillAsync(session, cancellationToken);
        }
    }

    /// <summary>The slot namespace whose guest answers on <see cref="GuestPort"/> (only the bench's session serves there).</summary>
    private static async Task<string?> SlotServingAsync(CancellationToken cancellationToken)
    {
        foreach (var ns in NetworkNamespaces.Slots())
        {
            try
            {
                await CurlAsync(["ip", "netns", "exec", ns, "curl", "-sf", "-m", "3", "-o", "/dev/null", "-w", "%{time_total}",
                    $"http://169.254.0.21:{GuestPort}/"], cancellationToken);
                return ns;
            }
            catch (InvalidOperationException)
            {
            }
        }
        return null;
    }

    private static async Task<double> CurlAsync(string[] command, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in command[1..])
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{command[0]} did not start");
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{string.Join(' ', command.Where(c => !c.StartsWith("X-API-Key", StringComparison.Ordinal)))} exited {process.ExitCode}: {error}");
        return double.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}

/// <summary>Guest HTTP through the app URL and straight from the slot: latency in ms, throughput in MB/s.</summary>
internal sealed record ProxyFigures(Stats ProxyLatency, Stats DirectLatency, double ProxyMBps, double DirectMBps);
