namespace Capsule.Harness;

/// <summary>Percentiles of a set of samples in milliseconds (nearest-rank).</summary>
internal sealed record Stats(int Count, double P50, double P90, double P99, double Min, double Max)
{
    public static Stats Of(IReadOnlyCollection<double> samples)
    {
        if (samples.Count == 0)
            throw new ArgumentException("No samples", nameof(samples));
        var sorted = samples.Order().ToArray();
        return new Stats(sorted.Length, Rank(sorted, 0.50), Rank(sorted, 0.90), Rank(sorted, 0.99), sorted[0], sorted[^1]);
    }

    private static double Rank(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    public override string ToString() => $"p50 {P50:F1} ms, p90 {P90:F1}, p99 {P99:F1} (n={Count}, min {Min:F1}, max {Max:F1})";
}
