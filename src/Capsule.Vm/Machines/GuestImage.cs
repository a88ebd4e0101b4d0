using System.Text.Json;

namespace Capsule.Vm.Machines;

/// <summary>
/// The guest image folder: kernel, initramfs, the base root disk (raw ext4, never written) and manifest.json, whose
/// <c>key</c> is a hash of the image's recipe (guest/build-image.sh).
/// </summary>
internal sealed record GuestImage(string Path)
{
    public string Kernel => System.IO.Path.Combine(Path, "vmlinuz");
    public string Initrd => System.IO.Path.Combine(Path, "initrd.img");
    public string RootDisk => System.IO.Path.Combine(Path, "rootfs.ext4");
    public string Manifest => System.IO.Path.Combine(Path, "manifest.json");

    /// <summary>
    /// The image folder with symlinks resolved (artifacts/guest points at a cache folder that a rebuild repoints),
    /// so one machine uses one image even if the link changes while it starts.
    /// </summary>
    public static GuestImage Resolve(string imageDirectory)
    {
        var full = System.IO.Path.GetFullPath(imageDirectory);
        var folder = new DirectoryInfo(full);
        var target = folder.Exists ? folder.ResolveLinkTarget(returnFinalTarget: true) : null;
        return new GuestImage(target?.FullName ?? full);
    }

    /// <summary>Throws <see cref="MachineException"/> (<see cref="MachineErrorCode.ImageMissing"/>) naming the missing files.</summary>
    public void EnsureComplete()
    {
        var missing = new[] { Kernel, Initrd, RootDisk, Manifest }.Where(f => !File.Exists(f)).ToList();
        if (missing.Count > 0)
            throw new MachineException(MachineErrorCode.ImageMissing, $"The guest image is incomplete; missing: {string.Join(", ", missing)}. Build it with guest/build-image.sh (make image).");
    }

    /// <summary>The manifest's <c>key</c>; throws <see cref="MachineException"/> (ImageMissing) if it cannot be read.</summary>
    public string ReadKey()
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(Manifest));
            if (document.RootElement.TryGetProperty("key", out var key) && key.GetString() is { Length: > 0 } value)
                return value;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new MachineException(MachineErrorCode.ImageMissing, $"The guest image manifest {Manifest} cannot be read: {e.Message}", e);
        }
        throw new MachineException(MachineErrorCode.ImageMissing, $"The guest image manifest {Manifest} has no \"key\".");
    }
}
