using Capsule.Harness;

namespace Capsule.Testing.Processes;

/// <summary>Where the checkout, the built server and CLI, and the guest image are, seen from the test binary.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = RepoRoot.Find();

    /// <summary>Release or Debug, whichever this test binary was built as (its project references built the same).</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string ServerDll => Path.Combine(Root, "src", "Capsule.Server", "bin", Configuration, "net10.0", "Capsule.Server.dll");

    public static string CliDll => Path.Combine(Root, "src", "Capsule.Cli", "bin", Configuration, "net10.0", "capsule.dll");

    /// <summary>CAPSULE_IMAGE_DIR when set, else the repo's artifacts/guest.</summary>
    public static string ImageDirectory =>
        Environment.GetEnvironmentVariable("CAPSULE_IMAGE_DIR") is { Length: > 0 } dir ? dir : Path.Combine(Root, "artifacts", "guest");
}
