using System.Text.Json.Nodes;

namespace Capsule.Bench;

/// <summary>How figures go into latest.json: ms rounded to 0.01, percentiles as one object.</summary>
internal static class BenchJson
{
    public static double Round(double value) => Math.Round(value, 2);

    public static JsonObject ToJson(Stats s) => new()
    {
        ["p50"] = Round(s.P50),
        ["p90"] = Round(s.P90),
        ["p99"] = Round(s.P99),
        ["min"] = Round(s.Min),
        ["max"] = Round(s.Max),
        ["n"] = s.Count,
    };
}
