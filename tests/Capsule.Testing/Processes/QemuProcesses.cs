namespace Capsule.Testing.Processes;

/// <summary>Finds live QEMU processes by a fragment of their command line (a data dir or a machine id).</summary>
internal static class QemuProcesses
{
    public static IReadOnlyList<int> Matching(string fragment)
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            string cmdline;
            try
            {
                cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            if (cmdline.Contains("qemu-system", StringComparison.Ordinal) && cmdline.Contains(fragment, StringComparison.Ordinal)
                && !IsZombie(pid))
                pids.Add(pid);
        }
        return pids;
    }

    /// <summary>Polls until no QEMU matches <paramref name="fragment"/> or the deadline passes; returns survivors.</summary>
    public static async Task<IReadOnlyList<int>> WaitGoneAsync(string fragment, TimeSpan within, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var left = Matching(fragment);
            if (left.Count == 0 || DateTime.UtcNow > deadline)
                return left;
            await Task.Delay(200, cancellationToken);
        }
    }

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var afterName = stat[(stat.LastIndexOf(')') + 2)..];
            return afterName.StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }
}
