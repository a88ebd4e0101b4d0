using System.Diagnostics;

namespace Capsule.Bench;

/// <summary>Figures measured through the HTTP API, as a client sees them.</summary>
internal static class ApiBench
{
    /// <summary>POST create, then POST execute print(1): time until the result is back. The session is killed after.</summary>
    public static async Task<Stats> CreateToFirstResultAsync(
        BenchServer server, int runs, bool waitForPool, CancellationToken cancellationToken)
    {
        var samples = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            if (waitForPool)
                await server.WaitPoolFullAsync(TimeSpan.FromMinutes(2), cancellationToken);
            var watch = Stopwatch.StartNew();
            var sessionId = await server.CreateSessionAsync(512, 2, cancellationToken);
            var result = await server.ExecuteAsync(sessionId, "print(1)", "python", cancellationToken);
            samples.Add(watch.Elapsed.TotalMilliseconds);
            Check(result, "1");
            await server.KillAsync(sessionId, cancellationToken);
        }
        return Stats.Of(samples);
    }

    /// <summary>Round trips of one small execute on a session that is already warm.</summary>
    public static async Task<Stats> WarmExecuteAsync(
        BenchServer server, string sessionId, string code, string language, string expected, int runs, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 3; i++)
            await server.ExecuteAsync(sessionId, code, language, cancellationToken);
        var samples = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            var result = await server.ExecuteAsync(sessionId, code, language, cancellationToken);
            samples.Add(watch.Elapsed.TotalMilliseconds);
            Check(result, expected);
        }
        return Stats.Of(samples);
    }

    /// <summary>Mean host PSS of idle sessions that have run print(1), in MiB.</summary>
    public static async Task<double> IdleSessionPssMibAsync(BenchServer server, int sessions, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        for (var i = 0; i < sessions; i++)
        {
            var id = await server.CreateSessionAsync(512, 2, cancellationToken);
            Check(await server.ExecuteAsync(id, "print(1)", "python", cancellationToken), "1");
            ids.Add(id);
        }
        await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
        var pss = new List<double>();
        foreach (var id in ids)
        {
            var vmId = await server.VmIdAsync(id, cancellationToken);
            var pid = HostMemory.QemuPid(vmId) ?? throw new InvalidOperationException($"no QEMU for {vmId}");
            pss.Add(HostMemory.PssMib(pid));
        }
        foreach (var id in ids)
            await server.KillAsync(id, cancellationToken);
        return pss.Average();
    }

    public static void Check(System.Text.Json.Nodes.JsonNode result, string expected)
    {
        var stdout = result["stdout"]?.GetValue<string>().Trim();
        if (stdout != expected)
            throw new InvalidOperationException($"unexpected result: {result.ToJsonString()}");
    }
}
