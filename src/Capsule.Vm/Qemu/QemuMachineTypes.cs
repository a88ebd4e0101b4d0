using Capsule.Vm.HostTools;
using Capsule.Vm.Snapshots;

namespace Capsule.Vm.Qemu;

/// <summary>The machine types <c>qemu-system-x86_64 -M help</c> lists, and the check that the configured one is among them.</summary>
internal static class QemuMachineTypes
{
    /// <summary>
    /// Throws <see cref="MachineException"/> (StartFailed) when QEMU cannot be run or does not offer
    /// <paramref name="machineType"/> (an older QEMU than the one the type is named after).
    /// </summary>
    public static async Task EnsureOfferedAsync(string qemuBinary, string machineType, CancellationToken cancellationToken)
    {
        var offered = await ListAsync(qemuBinary, cancellationToken).ConfigureAwait(false);
        if (!offered.Contains(machineType))
        {
            var versioned = offered.Where(t => t.StartsWith("pc-q35-", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
            throw new MachineException(
                MachineErrorCode.StartFailed,
                $"QEMU ({qemuBinary}) does not offer the machine type {machineType} (Capsule:Vm:MachineType); it offers "
                + (versioned.Count > 0 ? string.Join(", ", versioned) : "no versioned q35 type") + ".");
        }
    }

    /// <summary>The first word of every line of <c>-M help</c> after its header.</summary>
    public static async Task<IReadOnlySet<string>> ListAsync(string qemuBinary, CancellationToken cancellationToken)
    {
        try
        {
            return Parse(await HostCommand.RunAsync(qemuBinary, ["-M", "help"], null, cancellationToken).ConfigureAwait(false));
        }
        catch (HostCommandException e)
        {
            throw QemuVersion.CannotRun(qemuBinary, e);
        }
    }

    /// <summary>Parses <c>-M help</c>: "Supported machines are:" then one "name  description" per line.</summary>
    public static IReadOnlySet<string> Parse(string help) =>
        help.Split('\n')
            .Skip(1)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0)
            .Select(line => line.Split(' ', 2)[0])
            .ToHashSet(StringComparer.Ordinal);
}
