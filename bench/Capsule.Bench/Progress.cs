using System.Diagnostics;

namespace Capsule.Bench;

/// <summary>One line per step with the time since the run started, so a long run shows it is moving.</summary>
internal static class Progress
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    public static void Say(string message) => Console.Error.WriteLine($"[bench {Clock.Elapsed.TotalSeconds,6:F1}s] {message}");
}
