using System.Globalization;

namespace Capsule.Soak;

/// <summary>The command line of the soak harness (<c>make soak SOAK_ARGS="..."</c>).</summary>
internal sealed record SoakOptions
{
    public const string Usage = """
        usage: Capsule.Soak [--sessions N] [--minutes M] [options]
          --sessions N            concurrent workers, each with one session (default 50)
          --minutes M             how long the workers run; fractions allowed (default 10)
          --think-ms T            mean pause between a worker's requests, +-50% (default 4000)
          --recycle-every K       mean operations before a worker kills its VM and starts over (default 10)
          --memory-mb MB          memory_mb of each session (default 512)
          --vcpus N               vcpu_count of each session (default 2, the pooled snapshot)
          --progress-seconds S    progress line period (default 30)
          --interval-seconds S    latency report bucket (default 60)
          --configuration C       which server build runs (default Release)
          --server-setting K=V    extra server environment, e.g. Capsule__Vm__WarmPoolSize=4 (repeatable)
          --keep-data             keep the server's data directory afterwards
        """;

    public int Sessions { get; init; } = 50;
    public double Minutes { get; init; } = 10;
    public int ThinkMs { get; init; } = 4000;
    public int RecycleEvery { get; init; } = 10;
    public int MemoryMb { get; init; } = 512;
    public int Vcpus { get; init; } = 2;
    public int ProgressSeconds { get; init; } = 30;
    public int IntervalSeconds { get; init; } = 60;
    public string Configuration { get; init; } = "Release";
    public IReadOnlyDictionary<string, string> ServerSettings { get; init; } = new Dictionary<string, string>();
    public bool KeepData { get; init; }

    public TimeSpan Duration => TimeSpan.FromMinutes(Minutes);

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> with the reason on bad usage.</summary>
    public static SoakOptions Parse(IReadOnlyList<string> args)
    {
        var options = new SoakOptions();
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--sessions" => options with { Sessions = Int(Next(), 1, 1000) },
                "--minutes" => options with { Minutes = Double(Next(), 0.05, 24 * 60) },
                "--think-ms" => options with { ThinkMs = Int(Next(), 0, 600_000) },
                "--recycle-every" => options with { RecycleEvery = Int(Next(), 1, 1_000_000) },
                "--memory-mb" => options with { MemoryMb = Int(Next(), 128, 8192) },
                "--vcpus" => options with { Vcpus = Int(Next(), 1, 8) },
                "--progress-seconds" => options with { ProgressSeconds = Int(Next(), 1, 3600) },
                "--interval-seconds" => options with { IntervalSeconds = Int(Next(), 1, 3600) },
                "--configuration" => options with { Configuration = Next() },
                "--server-setting" => AddSetting(options, settings, Next()),
                "--keep-data" => options with { KeepData = true },
                _ => throw new ArgumentException($"unknown argument {args[i]}"),
            };
        }
        return options with { ServerSettings = settings };
    }

    private static SoakOptions AddSetting(SoakOptions options, Dictionary<string, string> settings, string pair)
    {
        var equals = pair.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
            throw new ArgumentException($"--server-setting wants KEY=VALUE, not {pair}");
        settings[pair[..equals]] = pair[(equals + 1)..];
        return options;
    }

    private static int Int(string text, int min, int max) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{text} is not an integer in {min}..{max}");

    private static double Double(string text, double min, double max) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{text} is not a number in {min}..{max}");
}
