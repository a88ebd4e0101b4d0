using System.Text.RegularExpressions;
using Capsule.Vm.Agent;

namespace Capsule.Vm.Qemu;

/// <summary>
/// Reads a kernel panic out of the console tail. The guest runs with <c>panic=-1</c> and QEMU with <c>-no-reboot</c>,
/// so a panic ends QEMU; its console shows why. A panic caused by running out of memory (<c>vm.panic_on_oom</c>, or
/// "System is deadlocked on memory" when nothing is left to kill) is <see cref="MachineExitReason.Oom"/>, any other
/// panic <see cref="MachineExitReason.Crashed"/>.
/// </summary>
internal static partial class ConsolePanic
{
    private const string PanicMarker = "Kernel panic - not syncing:";

    /// <summary>
    /// The guest reset itself (with <c>panic=-1</c> a panic resets at once; so would a <c>reboot -f</c> run as root in
    /// the guest) but the console did not show why: on a loaded TCG host the panic text sometimes never reaches it.
    /// </summary>
    public const string UnseenPanicDetail =
        "the guest kernel reset the machine: a kernel panic whose message did not reach the console, or a reboot from inside the guest";
    private const int MaxLineChars = 300;

    /// <summary>The exit a panic in <paramref name="consoleTail"/> explains, or null if the console shows no panic.</summary>
    public static MachineExit? Classify(string consoleTail)
    {
        var lines = consoleTail.Split('\n').Select(l => TimestampPrefix().Replace(l.Trim(), "")).ToList();
        // The panic line itself, not the "---[ end Kernel panic - not syncing: ... ]---" trailer.
        var panicLine = lines.LastOrDefault(l => l.StartsWith(PanicMarker, StringComparison.Ordinal))
            ?? lines.LastOrDefault(l => l.Contains(PanicMarker, StringComparison.Ordinal));
        if (panicLine is null)
            return null;
        var line = GuestText.Clip(panicLine, MaxLineChars);
        var outOfMemory = panicLine.Contains("Out of memory", StringComparison.OrdinalIgnoreCase)
            || lines.Any(l => l.Contains("System is deadlocked on memory", StringComparison.Ordinal));
        return outOfMemory
            ? new MachineExit(MachineExitReason.Oom, $"the guest ran out of memory and its kernel panicked: {line}")
            : new MachineExit(MachineExitReason.Crashed, $"the guest kernel panicked: {line}");
    }

    /// <summary>The kernel's "[   12.345678] " log prefix.</summary>
    [GeneratedRegex(@"^\[\s*\d+\.\d+\]\s*")]
    private static partial Regex TimestampPrefix();
}
