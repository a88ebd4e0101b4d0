using System.Security.Cryptography;
using System.Text;

namespace Capsule.Vm.Snapshots;

/// <summary>
/// The key of a set of snapshots: a sha256 over everything a restore must match: the guest image (its manifest key),
/// the QEMU version and the machine shape (base and hotplug memory, kernel command line, device list, accelerator,
/// TCG buffer size; <see cref="Qemu.QemuCommandLine.Shape"/>). Change any of them and the snapshots are rebuilt.
/// </summary>
internal static class SnapshotKey
{
    public static string Compute(string imageKey, string qemuVersion, string shape)
    {
        var text = $"capsule-snapshot-v1\nimage={imageKey}\nqemu={qemuVersion}\nshape={shape}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>True for a folder name that is a key (64 lowercase hex digits).</summary>
    public static bool IsKey(string name) => name.Length == 64 && name.All(char.IsAsciiHexDigitLower);
}
