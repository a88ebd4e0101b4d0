using System.Globalization;

namespace Capsule.Agent.Native;

/// <summary>
/// Finds and kills process trees by walking /proc/[pid]/stat (ppid, process group and session). A tree is the
/// root's descendants by ppid, plus (when a session or process group id is given) every process of that session or
/// group, which catches children that were re-parented to the agent after their parent died.
/// </summary>
internal static class ProcessTree
{
    private readonly record struct ProcEntry(int Pid, int ParentPid, int GroupId, int SessionId);

    /// <summary>
    /// SIGKILLs the tree. The whole tree is collected before anything dies (a dead parent's children
    /// are re-parented at once, which would hide them from the ppid walk), then a few more rounds
    /// catch processes forked meanwhile. A session or group leader root also gets kill(-pgid).
    /// </summary>
    public static void Kill(int rootPid, bool includeRoot, int? sessionId, int? groupId = null)
    {
        var killed = new HashSet<int>();
        for (var round = 0; round < 4; round++)
        {
            var found = Find(rootPid, sessionId, killed, groupId);
            if (includeRoot && round == 0)
                found.Add(rootPid);
            else if (!includeRoot)
                found.Remove(rootPid);
            found.ExceptWith(killed);
            if (found.Count == 0)
                return;
            if (includeRoot && round == 0 && (sessionId == rootPid || groupId == rootPid))
                _ = Libc.kill(-rootPid, Libc.SIGKILL);
            foreach (var pid in found)
            {
                _ = Libc.kill(pid, Libc.SIGKILL);
                killed.Add(pid);
            }
        }
    }

    /// <summary>Descendants of the root and of <paramref name="alsoParents"/>, plus members of the session and of the group.</summary>
    public static HashSet<int> Find(int rootPid, int? sessionId, IReadOnlySet<int>? alsoParents = null, int? groupId = null)
    {
        var entries = Snapshot();
        var children = new Dictionary<int, List<int>>();
        var result = new HashSet<int>();
        foreach (var e in entries)
        {
            if (!children.TryGetValue(e.ParentPid, out var list))
                children[e.ParentPid] = list = [];
            list.Add(e.Pid);
            if ((sessionId is { } sid && e.SessionId == sid) || (groupId is { } gid && e.GroupId == gid))
                result.Add(e.Pid);
        }
        var queue = new Queue<int>();
        queue.Enqueue(rootPid);
        if (alsoParents is not null)
        {
            foreach (var p in alsoParents)
                queue.Enqueue(p);
        }
        foreach (var p in result)
            queue.Enqueue(p);
        var seen = new HashSet<int>();
        while (queue.TryDequeue(out var pid))
        {
            if (!seen.Add(pid) || !children.TryGetValue(pid, out var list))
                continue;
            foreach (var child in list)
            {
                result.Add(child);
                queue.Enqueue(child);
            }
        }
        return result;
    }

    private static List<ProcEntry> Snapshot()
    {
        var entries = new List<ProcEntry>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir.AsSpan());
            if (name.IsEmpty || !char.IsAsciiDigit(name[0]))
                continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Join(dir, "stat"));
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            if (TryParseStat(stat, out var entry))
                entries.Add(entry);
        }
        return entries;
    }

    /// <summary>Parses "pid (comm) state ppid pgrp session ..."; comm may itself contain spaces and parentheses.</summary>
    private static bool TryParseStat(string stat, out ProcEntry entry)
    {
        entry = default;
        var open = stat.IndexOf(' ', StringComparison.Ordinal);
        var close = stat.LastIndexOf(')');
        if (open <= 0 || close < 0 || close + 2 >= stat.Length)
            return false;
        var fields = stat[(close + 2)..].Split(' ', 5);
        if (fields.Length < 4
            || !int.TryParse(stat.AsSpan(0, open), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ppid)
            || !int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var pgid)
            || !int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var sid))
            return false;
        entry = new ProcEntry(pid, ppid, pgid, sid);
        return true;
    }
}
