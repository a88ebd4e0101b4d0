using System.Diagnostics;

namespace Capsule.Bench;

/// <summary>The yardstick: spawning the host's python3 to print(1), as a user's laptop would.</summary>
internal static class LocalPython
{
    public static async Task<Stats> MeasureSpawnAsync(int runs, CancellationToken cancellationToken)
    {
        var samples = new List<double>();
        for (var i = 0; i < runs + 2; i++)
        {
            var watch = Stopwatch.StartNew();
            using var process = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", "print(1)"])
            {
                RedirectStandardOutput = true,
            }) ?? throw new InvalidOperationException("python3 did not start");
            await process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (i >= 2)
                samples.Add(watch.Elapsed.TotalMilliseconds);
        }
        return Stats.Of(samples);
    }
}
