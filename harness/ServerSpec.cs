namespace Capsule.Harness;

/// <summary>How a harness (bench, soak, a test tier) starts the built server: which build, which data, its settings.</summary>
internal sealed record ServerSpec(string Root)
{
    /// <summary>The build configuration whose <c>Capsule.Server.dll</c> runs (make builds Release).</summary>
    public string Configuration { get; init; } = "Release";

    /// <summary>An existing data directory (a restart): kept at dispose, its log appended to. Null for a fresh temp one.</summary>
    public string? DataDir { get; init; }

    /// <summary>Prefix of the fresh temp data directory.</summary>
    public string DataDirPrefix { get; init; } = "capsule-harness-";

    /// <summary>Where the guest image is; null for the checkout's <c>artifacts/guest</c>.</summary>
    public string? ImageDirectory { get; init; }

    /// <summary>Where the server's stdout and stderr go; null for <c>server.log</c> in the data directory.</summary>
    public string? LogPath { get; init; }

    /// <summary>Extra environment, e.g. <c>["Capsule__Vm__MaxMachines"] = "64"</c>.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>How long the server may take to answer /health and write admin.key.</summary>
    public TimeSpan StartPatience { get; init; } = TimeSpan.FromMinutes(15);

    public string ServerDll => Path.Combine(Root, "src", "Capsule.Server", "bin", Configuration, "net10.0", "Capsule.Server.dll");
}
