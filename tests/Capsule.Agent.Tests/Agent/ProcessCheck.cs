namespace Capsule.Agent.Tests.Agent;

/// <summary>Whether a pid is a live process (a zombie waiting to be reaped counts as gone).</summary>
internal static class ProcessCheck
{
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is not ("Z" or "X");
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Live bash children of <paramref name="parent"/> other than <paramref name="except"/> (the agent's spare shells).</summary>
    public static IReadOnlyList<int> BashChildren(int parent, int except)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == except)
                continue;
            try
            {
                var stat = File.ReadAllText(Path.Join(dir, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                var fields = stat[(close + 2)..].Split(' ');
                if (stat[(open + 1)..close] == "bash" && fields[0] is not ("Z" or "X")
                    && int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) == parent)
                    found.Add(pid);
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
        }
        return found;
    }

    public static int FirstPid(string stdout) =>
        int.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0].Trim(), System.Globalization.CultureInfo.InvariantCulture);
}
