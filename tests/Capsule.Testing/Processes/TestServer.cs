using Capsule.Harness;

namespace Capsule.Testing.Processes;

/// <summary>The test tiers' way to start the built server: the shared <see cref="ServerProcess"/> with this checkout's build and image.</summary>
internal static class TestServer
{
    private static readonly TimeSpan StartPatience = TimeSpan.FromMinutes(2);

    /// <summary>Starts the server and returns once /health answers and admin.key exists.</summary>
    /// <param name="dataDir">An existing data dir (a restart), left in place at dispose; null for a fresh temp one, deleted at dispose.</param>
    /// <param name="environment">Extra variables for the server, e.g. <c>["Capsule__Vm__WarmPoolSize"] = "0"</c>.</param>
    public static Task<ServerProcess> StartAsync(string? dataDir, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null) =>
        ServerProcess.StartAsync(
            new ServerSpec(RepoPaths.Root)
            {
                Configuration = RepoPaths.Configuration,
                DataDir = dataDir,
                DataDirPrefix = "capsule-server-",
                ImageDirectory = RepoPaths.ImageDirectory,
                Settings = environment ?? new Dictionary<string, string>(),
                StartPatience = StartPatience,
            },
            cancellationToken);
}
