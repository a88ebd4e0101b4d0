namespace Capsule.Harness;

/// <summary>Finds QEMU processes by a fragment of their command line (a data dir or a machine id).</summary>
internal static class QemuProcesses
{
    /// <summary>Live (not zombie) <c>qemu-system</c> processes whose command line contains <paramref name="fragment"/>.</summary>
    public static IReadOnlyList<int> Matching(string fragment) => Scan(fragment, zombies: false);

    /// <summary>Dead <c>qemu-system</c> processes not yet reaped by their parent (they hold no memory or files).</summary>
    public static IReadOnlyList<int> Zombies(string fragment) => Scan(fragment, zombies: true);

    /// <summary>Polls until no live QEMU matches <paramref name="fragment"/> or <paramref name="within"/> passes; returns the survivors.</summary>
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

    private static List<int> Scan(string fragment, bool zombies)
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            var cmdline = ReadOrNull(Path.Combine(dir, "cmdline"))?.Replace('\0', ' ');
            if (cmdline is null || !cmdline.Contains("qemu-system", StringComparison.Ordinal)
                || !cmdline.Contains(fragment, StringComparison.Ordinal))
                continue;
            if (IsZombie(pid) == zombies)
                pids.Add(pid);
        }
        return pids;
    }

    private static bool IsZombie(int pid)
    {
        var stat = ReadOrNull($"/proc/{pid}/stat");
        if (stat is null)
            return true;
        var afterName = stat.LastIndexOf(')');
        return afterName >= 0 && afterName + 2 < stat.Length && stat[afterName + 2] is 'Z' or 'X';
    }

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
