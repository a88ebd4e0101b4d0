using Capsule.Agent.Logging;
using Microsoft.Extensions.Logging;

namespace Capsule.Agent.Limits;

/// <summary>
/// Leaves of finished bash execs that still hold processes (<c>server &amp;</c>, or a fork bomb whose first shell
/// returned at once). One thread checks them every <see cref="Interval"/> while there are any, and sleeps otherwise:
/// an empty leaf is removed; a leaf whose processes were refused a fork (the session's process limit is reached) or
/// OOM-killed is killed as a whole, since nothing else in the session could start a process or get memory while it
/// holds the limit.
/// </summary>
internal sealed class LingeringGroups(ILogger logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly object _gate = new();
    private readonly HashSet<string> _groups = [];
    private readonly HashSet<string> _killed = []; // only the sweeper thread uses it

    public void Start()
    {
        var thread = new Thread(Run, maxStackSize: 256 * 1024) { IsBackground = true, Name = "cgroup-sweeper" };
        thread.Start();
    }

    /// <summary>
    /// Hands a leaf to the sweeper thread, which removes it at once if it is empty: never on the caller's thread, since in
    /// a TCG guest a cgroup's <c>rmdir</c> costs about 60 ms, which the exec's answer would otherwise wait for.
    /// </summary>
    public void Add(string group)
    {
        lock (_gate)
        {
            _groups.Add(group);
            Monitor.Pulse(_gate);
        }
    }

    private void Run()
    {
        while (true)
        {
            List<string> groups;
            lock (_gate)
            {
                while (_groups.Count == 0)
                    Monitor.Wait(_gate);
                groups = [.. _groups];
            }
            foreach (var group in groups)
            {
                if (Check(group))
                {
                    lock (_gate)
                        _groups.Remove(group);
                }
            }
            Thread.Sleep(Interval);
        }
    }

    /// <summary>True when the leaf is gone (removed now or already); kills it if its processes hit the limit.</summary>
    private bool Check(string group)
    {
        try
        {
            if (TryRemove(group))
                return true;
            var report = GroupReport.Read(group);
            if ((report.HitProcessLimit || report.OomKilled) && _killed.Add(group))
            {
                logger.LingeringGroupKilled(group);
                CgroupFiles.Kill(group);
            }
            return false;
        }
        catch (IOException)
        {
            return true; // unreadable: forget it rather than retry forever
        }
    }

    /// <summary>Removes the leaf if no process is left in it.</summary>
    private static bool TryRemove(string group)
    {
        try
        {
            if (CgroupFiles.IsPopulated(group))
                return false;
            Directory.Delete(group);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (IOException)
        {
            return false; // EBUSY: a process moved in meanwhile
        }
    }
}
