namespace Capsule.Testing.Processes;

/// <summary>What a real-VM test needs; null when all is there, else the reason to skip.</summary>
internal static class Prerequisites
{
    public static string? MissingReason()
    {
        if (FindOnPath("qemu-system-x86_64") is null)
            return "qemu-system-x86_64 is not installed (run `make test`, which installs it)";
        foreach (var file in new[] { "vmlinuz", "initrd.img", "rootfs.ext4" })
        {
            if (!File.Exists(Path.Combine(RepoPaths.ImageDirectory, file)))
                return $"guest image missing: {Path.Combine(RepoPaths.ImageDirectory, file)} (run guest/build-image.sh)";
        }
        if (!File.Exists(RepoPaths.ServerDll))
            return $"server not built: {RepoPaths.ServerDll}";
        return null;
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
}
