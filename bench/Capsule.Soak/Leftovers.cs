namespace Capsule.Soak;

/// <summary>
/// What a gracefully stopped server left behind of this soak: live QEMU processes whose command line names its data
/// directory, machine run folders, and the files in them (qcow2 overlays, RAM files, sockets, logs), plus upload
/// spool files, and the networking it made (slot namespaces with their taps and rules, root-side veths, the root firewall table). All must be zero. Zombie QEMUs (dead, not yet reaped) are reported but hold nothing.
/// </summary>
internal sealed record Leftovers(
    int QemuProcesses,
    int QemuZombies,
    int RunFolders,
    int OverlayFiles,
    int RamFiles,
    int Sockets,
    int OtherRunFiles,
    int UploadSpoolFiles,
    int NetworkSlots)
{
    public int Total => QemuProcesses + RunFolders + OverlayFiles + RamFiles + Sockets + OtherRunFiles + UploadSpoolFiles + NetworkSlots;

    /// <summary>
    /// Counts what is left under <paramref name="dataDir"/> (run folders in <c>run/</c>, spool in <c>uploads/</c>), and the
    /// network slots present now that were not before the server started (<paramref name="slotsBefore"/>).
    /// </summary>
    public static Leftovers Scan(string dataDir, IReadOnlySet<string> slotsBefore)
    {
        var runDir = Path.Combine(dataDir, "run");
        var files = Directory.Exists(runDir)
            ? Directory.EnumerateFiles(runDir, "*", SearchOption.AllDirectories).ToList()
            : [];
        var overlays = files.Count(f => f.EndsWith(".qcow2", StringComparison.Ordinal));
        var ram = files.Count(f => Path.GetFileName(f) is "ram" || f.EndsWith(".ram", StringComparison.Ordinal));
        var sockets = files.Count(f => f.EndsWith(".sock", StringComparison.Ordinal));
        var uploads = Path.Combine(dataDir, "uploads");
        return new Leftovers(
            QemuProcesses: Capsule.Harness.QemuProcesses.Matching(dataDir).Count,
            QemuZombies: Capsule.Harness.QemuProcesses.Zombies(dataDir).Count,
            RunFolders: Directory.Exists(runDir) ? Directory.EnumerateDirectories(runDir).Count() : 0,
            OverlayFiles: overlays,
            RamFiles: ram,
            Sockets: sockets,
            OtherRunFiles: files.Count - overlays - ram - sockets,
            UploadSpoolFiles: Directory.Exists(uploads) ? Directory.EnumerateFiles(uploads, "*", SearchOption.AllDirectories).Count() : 0,
            NetworkSlots: NetworkNamespaces.Everything().Except(slotsBefore).Count());
    }

    /// <summary>Waits (bounded) for QEMU processes to go, in case the last ones are still exiting; then scans.</summary>
    public static async Task<Leftovers> ScanAfterAsync(string dataDir, IReadOnlySet<string> slotsBefore, TimeSpan within, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + within;
        while (Capsule.Harness.QemuProcesses.Matching(dataDir).Count > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(200, cancellationToken);
        return Scan(dataDir, slotsBefore);
    }
}
