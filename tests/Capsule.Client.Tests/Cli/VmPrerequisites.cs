namespace Capsule.Client.Tests.Cli;

/// <summary>What a real-VM test needs; null when all is there, else the reason to skip.</summary>
internal static class VmPrerequisites
{
    public static string? MissingReason()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, "qemu-system-x86_64")));
        if (!onPath)
            return "qemu-system-x86_64 is not installed (run `make test`, which installs it)";
        var rootfs = Path.Combine(RepoPaths.ImageDirectory, "rootfs.ext4");
        if (!File.Exists(rootfs))
            return $"guest image missing: {rootfs} (run guest/build-image.sh)";
        return null;
    }
}
