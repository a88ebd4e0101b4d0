using System.Globalization;

namespace Capsule.Bench;

/// <summary>How many clients each of ComputeSDK's modes runs, and the staggered mode's interval.</summary>
internal sealed record ModeSizes(int Sequential, int Staggered, int Burst, TimeSpan StaggerInterval)
{
    /// <summary>The burst's size is fixed (its JSON keys name it); quick mode shortens the other two.</summary>
    public static ModeSizes For(bool quick) => new(quick ? 5 : 20, quick ? 5 : 20, 100, TimeSpan.FromMilliseconds(200));
}

/// <summary>One run of the three modes: through Capsule, and the bare-QEMU counterpart of each.</summary>
internal sealed record ModeRun(
    ModeResult Sequential, ModeResult Staggered, ModeResult Burst, Stats BareSequential, Stats BareStaggered, Stats BareBurst)
{
    public int Failed => Sequential.Failed + Staggered.Failed + Burst.Failed;
}

/// <summary>
/// Runs the three modes <c>runs</c> times. Each run measures the bare restores first (no server running), then starts
/// its own server, so runs do not share a warm pool or leftovers. The server's caps are raised for the burst: 128
/// sessions on one key (the per-key cap is 20, and refused creates stay sessions until killed) and
/// <see cref="MaxMachines"/> machines.
/// </summary>
internal static class ModeRuns
{
    /// <summary>
    /// A networked server has 64 slots (<c>SlotLayout.MaxSlots</c>), 2 of which it keeps made ahead
    /// (<c>Capsule:Network:ReadySlots</c>), and a VM start beyond them is a 500, not a 503: <c>MaxMachines</c> is held
    /// at 62 so the host refuses the rest of a burst of 100 with its capacity 503, which the bench counts as refused.
    /// </summary>
    private const int MaxMachines = 62;

    public static async Task<IReadOnlyList<ModeRun>> RunAsync(string root, ModeSizes sizes, int runs, CancellationToken cancellationToken)
    {
        var results = new List<ModeRun>();
        for (var run = 1; run <= runs; run++)
        {
            Progress.Say($"modes, run {run} of {runs}: bare QEMU, {sizes.Sequential} sequential restores");
            var bareSequential = await BareRestore.MeasureAsync(root, sizes.Sequential, cancellationToken);
            Progress.Say($"bare sequential: {bareSequential}");
            Progress.Say($"bare QEMU, {sizes.Staggered} restores {sizes.StaggerInterval.TotalMilliseconds:F0} ms apart");
            var bareStaggered = await BareRestore.StaggeredAsync(root, sizes.Staggered, sizes.StaggerInterval, cancellationToken);
            Progress.Say($"bare staggered: {bareStaggered}");
            Progress.Say($"bare QEMU, burst of {sizes.Burst} restores");
            var bareBurst = await BareRestore.BurstAsync(root, sizes.Burst, cancellationToken);
            Progress.Say($"bare burst {sizes.Burst}: {bareBurst}");

            await using var server = await BenchServer.StartAsync(root, new Dictionary<string, string>
            {
                ["Capsule__Vm__WarmPoolSize"] = "4",
                ["Capsule__Vm__MaxMachines"] = MaxMachines.ToString(CultureInfo.InvariantCulture),
                ["Capsule__RateLimit__RequestsPerSecond"] = "0",
                ["Capsule__RateLimit__MaxRunningSessionsPerKey"] = "128",
            }, cancellationToken);
            await server.WaitPoolFullAsync(TimeSpan.FromMinutes(2), cancellationToken);
            Progress.Say($"sequential: {sizes.Sequential} creates + first execute, one after another");
            var sequential = await ApiModes.SequentialAsync(server, sizes.Sequential, cancellationToken);
            Progress.Say($"sequential: {sequential}");
            SayWhyFailed(server, sequential);
            await server.WaitPoolFullAsync(TimeSpan.FromMinutes(2), cancellationToken);
            Progress.Say($"staggered: {sizes.Staggered} creates + first execute, {sizes.StaggerInterval.TotalMilliseconds:F0} ms apart");
            var staggered = await ApiModes.StaggeredAsync(server, sizes.Staggered, sizes.StaggerInterval, cancellationToken);
            Progress.Say($"staggered: {staggered}");
            SayWhyFailed(server, staggered);
            await server.WaitPoolFullAsync(TimeSpan.FromMinutes(2), cancellationToken);
            Progress.Say($"burst: {sizes.Burst} concurrent creates + first execute");
            var burst = await ApiModes.BurstAsync(server, sizes.Burst, cancellationToken);
            Progress.Say($"burst {sizes.Burst}: {burst}");
            SayWhyFailed(server, burst);
            results.Add(new ModeRun(sequential, staggered, burst, bareSequential, bareStaggered, bareBurst));
        }
        return results;
    }

    private static void SayWhyFailed(BenchServer server, ModeResult mode)
    {
        if (mode.Failed == 0)
            return;
        foreach (var line in server.LogExceptions(5))
            Progress.Say($"server log: {line}");
    }
}
