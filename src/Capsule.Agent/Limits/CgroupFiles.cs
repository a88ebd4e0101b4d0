using System.Globalization;

namespace Capsule.Agent.Limits;

/// <summary>Reads and writes the cgroup v2 interface files the agent uses; a missing or unwritable file is an <see cref="IOException"/>.</summary>
internal static class CgroupFiles
{
    public static void Write(string group, string file, string value) => File.WriteAllText(Path.Join(group, file), value);

    /// <summary>Moves a process into the group (<c>cgroup.procs</c>).</summary>
    public static void MoveIn(string group, int pid) => Write(group, "cgroup.procs", pid.ToString(CultureInfo.InvariantCulture));

    /// <summary>SIGKILLs every process in the group and its descendants, atomically with respect to forks (<c>cgroup.kill</c>).</summary>
    public static void Kill(string group) => Write(group, "cgroup.kill", "1");

    public static IReadOnlyList<int> Processes(string group) =>
        [.. File.ReadAllLines(Path.Join(group, "cgroup.procs")).Select(line => int.Parse(line, CultureInfo.InvariantCulture))];

    /// <summary>True while the group or a descendant has a live process (<c>populated</c> of <c>cgroup.events</c>).</summary>
    public static bool IsPopulated(string group) => Counter(group, "cgroup.events", "populated") != 0;

    /// <summary>Processes of the group killed by any OOM killer, the global one included (<c>oom_kill</c> of <c>memory.events</c>).</summary>
    public static long OomKills(string group) => Counter(group, "memory.events", "oom_kill");

    /// <summary>
    /// Forks by processes of the group that the pids controller refused (<c>max</c> of <c>pids.events</c>). On the guest's
    /// 6.1 kernel the count is kept on the forking process's own group, whichever ancestor's <c>pids.max</c> was reached.
    /// </summary>
    public static long ForkFailures(string group) => Counter(group, "pids.events", "max");

    /// <summary>The value of <paramref name="key"/> in a flat-keyed file (<c>key value</c> lines); 0 if absent.</summary>
    public static long Counter(string group, string file, string key)
    {
        foreach (var line in File.ReadLines(Path.Join(group, file)))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && line.AsSpan(0, space).SequenceEqual(key))
                return long.Parse(line.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture);
        }
        return 0;
    }
}
