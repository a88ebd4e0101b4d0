using System.Diagnostics;

namespace Capsule.Bench;

/// <summary>
/// ComputeSDK's three load shapes through the HTTP API, each client a create + first <c>print(1)</c>:
/// sequential (one after another), staggered (started a fixed interval apart, not waiting for each other) and burst
/// (all at once). A capacity refusal (503) is counted as refused; any other error as failed. Neither throws.
/// </summary>
internal static class ApiModes
{
    /// <summary><paramref name="count"/> clients one after another; each session is killed before the next starts.</summary>
    public static async Task<ModeResult> SequentialAsync(BenchServer server, int count, CancellationToken cancellationToken)
    {
        var outcomes = new List<ClientOutcome>();
        for (var i = 0; i < count; i++)
        {
            var outcome = await ClientAsync(server, "sequential", i, Stopwatch.GetTimestamp(), cancellationToken);
            await KillAsync(server, outcome, cancellationToken);
            outcomes.Add(outcome);
        }
        return ModeResult.Of(outcomes);
    }

    /// <summary>
    /// Client i starts at i × <paramref name="interval"/>, whatever the earlier ones are doing; its latency is from its
    /// own start. Each session is killed as soon as its client has its result.
    /// </summary>
    public static async Task<ModeResult> StaggeredAsync(
        BenchServer server, int count, TimeSpan interval, CancellationToken cancellationToken)
    {
        var tasks = Enumerable.Range(0, count).Select(async i =>
        {
            await Task.Delay(interval * i, cancellationToken);
            var outcome = await ClientAsync(server, "staggered", i, Stopwatch.GetTimestamp(), cancellationToken);
            await KillAsync(server, outcome, cancellationToken);
            return outcome;
        }).ToArray();
        return ModeResult.Of(await Task.WhenAll(tasks));
    }

    /// <summary>
    /// <paramref name="count"/> clients at once; latency of each from the common start. Every session stays up until
    /// all clients are done, so the last ones see the host as full as it gets.
    /// </summary>
    public static async Task<ModeResult> BurstAsync(BenchServer server, int count, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var outcomes = await Task.WhenAll(
            Enumerable.Range(0, count).Select(i => ClientAsync(server, $"burst {count}", i, start, cancellationToken)));
        foreach (var outcome in outcomes)
            await KillAsync(server, outcome, cancellationToken);
        return ModeResult.Of(outcomes);
    }

    private static async Task<ClientOutcome> ClientAsync(
        BenchServer server, string mode, int index, long startedAt, CancellationToken cancellationToken)
    {
        string? sessionId = null;
        try
        {
            sessionId = await server.CreateSessionAsync(512, 2, cancellationToken);
            var result = await server.ExecuteAsync(sessionId, "print(1)", "python", cancellationToken);
            var ms = Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds;
            ApiBench.Check(result, "1");
            return new ClientOutcome(ms, Refused: false, sessionId);
        }
        catch (CapacityRefusedException ex)
        {
            Progress.Say($"{mode} client {index} refused: {ex.Message}");
            return new ClientOutcome(null, Refused: true, sessionId);
        }
        catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException)
        {
            Progress.Say($"{mode} client {index} failed: {ex.Message}");
            return new ClientOutcome(null, Refused: false, sessionId);
        }
    }

    private static async Task KillAsync(BenchServer server, ClientOutcome outcome, CancellationToken cancellationToken)
    {
        if (outcome.SessionId is { } sessionId)
            await server.KillAsync(sessionId, cancellationToken);
    }
}
