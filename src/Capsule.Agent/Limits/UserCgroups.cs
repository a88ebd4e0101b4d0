using System.Globalization;
using Capsule.Agent.Logging;
using Microsoft.Extensions.Logging;

namespace Capsule.Agent.Limits;

/// <summary>
/// The guest's cgroup v2 tree for user work (the initramfs mounts cgroup2 on <see cref="MountPoint"/>):
/// <code>
/// /sys/fs/cgroup            the agent (PID 1) stays here, outside every limit, its pages locked (<see cref="AgentMemoryLock"/>)
///   user/                   pids.max = <see cref="PidsMax"/>, memory.max = MemTotal - <see cref="ReservedBytes"/>
///     python/               the python interpreter and whatever it starts
///     exec-N/               one per bash exec; the exec's bash moves itself in before any user code runs
/// </code>
/// The cpu, pids and memory controllers are enabled down to the leaves, so each leaf counts its own OOM kills and
/// refused forks; <c>user</c> also has a <c>memory.max</c> that leaves <see cref="ReservedBytes"/> to the agent and the kernel.
/// Only the guest's agent (PID 1 serving the virtio port) sets this up: agent tests run the agent with
/// <c>--listen</c> on the host (sometimes as PID 1 of a pid namespace) and must never touch the host's cgroups, so
/// there <see cref="TrySetUp"/> returns null and the agent works as before, without limits.
/// </summary>
internal sealed class UserCgroups
{
    public const string MountPoint = "/sys/fs/cgroup";

    /// <summary>Processes (threads count too) the session may have at once: plenty for pip, git or make -j, far below what exhausts the guest.</summary>
    public const int PidsMax = 1024;

    /// <summary>
    /// The kernel's own cap on tasks, which it sizes from the RAM present at boot: about 1,000 for the 128 MB a snapshot
    /// boots with, which a fork bomb would reach before <see cref="PidsMax"/>, leaving the agent unable to spawn or
    /// start a thread. It is raised to this (it reserves nothing), so only the user cgroup's limit is ever hit.
    /// </summary>
    public const int ThreadsMax = 32768;

    private const string ThreadsMaxPath = "/proc/sys/kernel/threads-max";

    /// <summary>
    /// Memory the user tree may not take (<c>memory.max</c> = MemTotal minus this): the agent and the kernel keep it, so
    /// a session that fills the memory meets the OOM killer inside the user tree instead of pushing the whole guest into
    /// reclaim. 32 MB plus 1/32 of MemTotal (the kernel's own share grows with what the session runs: page tables,
    /// kernel stacks, slab), at most 64 MB: 40 MB of a 256 MB session, 64 MB from 1 GB up. With 32 MB flat, a python fork
    /// loop in a 1 GB guest pushed it into global reclaim, and the agent answered the health probe late.
    /// </summary>
    public static long ReservedBytes(long memTotalBytes) => Math.Min(MinReservedBytes + memTotalBytes / 32, MaxReservedBytes);

    private const long MinReservedBytes = 32L * 1024 * 1024;
    private const long MaxReservedBytes = 64L * 1024 * 1024;

    /// <summary>cpu too: the user tree then competes for CPU as one entity against each of the agent's threads, so a fork bomb cannot starve the agent.</summary>
    private const string Controllers = "+cpu +pids +memory";

    private readonly string _user;
    private readonly LingeringGroups _lingering;
    private readonly ILogger _logger;
    private readonly object _memoryGate = new();
    private readonly Queue<string> _readyLeaves = new(); // under itself
    private readonly AutoResetEvent _refill = new(false);
    private long _execGroups;
    private long _memoryMax;

    private UserCgroups(string user, ILogger logger)
    {
        _user = user;
        _logger = logger;
        PythonGroup = Path.Join(user, "python");
        _lingering = new LingeringGroups(logger);
    }

    /// <summary>The python interpreter's group.</summary>
    public string PythonGroup { get; }

    /// <summary>Builds the tree; null when not <paramref name="inGuest"/>, or (logged) when cgroup v2 is not there.</summary>
    public static UserCgroups? TrySetUp(bool inGuest, ILogger logger)
    {
        if (!inGuest)
            return null;
        try
        {
            if (!File.Exists(Path.Join(MountPoint, "cgroup.controllers")))
                throw new IOException($"cgroup2 is not mounted on {MountPoint}.");
            if (int.Parse(File.ReadAllText(ThreadsMaxPath), CultureInfo.InvariantCulture) < ThreadsMax)
                File.WriteAllText(ThreadsMaxPath, ThreadsMax.ToString(CultureInfo.InvariantCulture));
            CgroupFiles.Write(MountPoint, "cgroup.subtree_control", Controllers);
            var user = Path.Join(MountPoint, "user");
            Directory.CreateDirectory(user);
            CgroupFiles.Write(user, "pids.max", PidsMax.ToString(CultureInfo.InvariantCulture));
            CgroupFiles.Write(user, "cgroup.subtree_control", Controllers);
            var cgroups = new UserCgroups(user, logger);
            cgroups.RefreshMemoryMax();
            Directory.CreateDirectory(cgroups.PythonGroup);
            cgroups._lingering.Start();
            cgroups.StartLeafMaker();
            logger.CgroupsReady(user, PidsMax);
            return cgroups;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            logger.CgroupsUnavailable(e);
            return null;
        }
    }

    /// <summary>
    /// Sets the user tree's <c>memory.max</c> from the memory the guest has now. virtio-mem grows the guest after a
    /// restore, while the session runs: called on every memory hotplug event (<see cref="MemoryHotplugWatch"/>, which
    /// the runtime starts) and before every exec. The second call is cheap (one read of /proc/meminfo; the file is
    /// written only on a change) and covers an exec that starts between a block coming online and the watch handling
    /// its event, or a guest where the watch could not start. One caller at a time, so an older size never overwrites
    /// a newer one.
    /// </summary>
    public void RefreshMemoryMax()
    {
        lock (_memoryGate)
        {
            try
            {
                var total = MemTotalBytes();
                var max = Math.Max(total - ReservedBytes(total), MinReservedBytes);
                if (max == _memoryMax)
                    return;
                CgroupFiles.Write(_user, "memory.max", max.ToString(CultureInfo.InvariantCulture));
                _memoryMax = max;
            }
            catch (Exception e) when (e is IOException or FormatException)
            {
                _logger.CgroupFailed(e, _user);
            }
        }
    }

    private static long MemTotalBytes()
    {
        foreach (var line in File.ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                return long.Parse(line.AsSpan(9).Trim().TrimEnd("kB").Trim(), NumberStyles.None, CultureInfo.InvariantCulture) * 1024;
        }
        throw new FormatException("/proc/meminfo has no MemTotal.");
    }

    /// <summary>
    /// Leaves made ahead: in a TCG guest a cgroup's <c>mkdir</c> costs about 50 ms (its controllers' state waits for
    /// RCU), which an exec would otherwise pay before its first line.
    /// </summary>
    public const int ReadyLeaves = 2;

    /// <summary>A new, empty leaf for one bash exec: one made ahead if there is one (a thread makes the next).</summary>
    public string NewExecGroup()
    {
        string? group;
        lock (_readyLeaves)
            _readyLeaves.TryDequeue(out group);
        _refill.Set();
        return group ?? MakeLeaf();
    }

    private string MakeLeaf()
    {
        var group = Path.Join(_user, $"exec-{Interlocked.Increment(ref _execGroups)}");
        Directory.CreateDirectory(group);
        return group;
    }

    /// <summary>The thread that keeps <see cref="ReadyLeaves"/> leaves made (it lives as long as the agent).</summary>
    private void StartLeafMaker()
    {
        var thread = new Thread(() =>
        {
            while (true)
            {
                _refill.WaitOne();
                while (true)
                {
                    lock (_readyLeaves)
                    {
                        if (_readyLeaves.Count >= ReadyLeaves)
                            break;
                    }
                    try
                    {
                        var leaf = MakeLeaf();
                        lock (_readyLeaves)
                            _readyLeaves.Enqueue(leaf);
                    }
                    catch (IOException e)
                    {
                        _logger.CgroupFailed(e, "a leaf made ahead");
                        break; // the next exec makes its own and wakes this again
                    }
                }
            }
        }, maxStackSize: 256 * 1024)
        { IsBackground = true, Name = "cgroup-leaves" };
        thread.Start();
        _refill.Set();
    }

    /// <summary>
    /// Ends a bash exec's leaf once its bash has exited: kills what is left in it if <paramref name="kill"/> (timeout,
    /// cancel) or if its processes were refused forks or OOM-killed, reads its counters, and releases it.
    /// </summary>
    public GroupReport FinishExecGroup(string group, bool kill)
    {
        try
        {
            var report = GroupReport.Read(group);
            if (kill || report.HitProcessLimit || report.OomKilled)
                CgroupFiles.Kill(group);
            return report;
        }
        catch (IOException e)
        {
            _logger.CgroupFailed(e, group);
            return default;
        }
        finally
        {
            Release(group);
        }
    }

    /// <summary>
    /// Hands over a finished exec's leaf: removed at once if empty, else watched until its last process ends
    /// (background jobs keep running), and killed as a whole if its processes reach the process limit later.
    /// </summary>
    public void Release(string group) => _lingering.Add(group);

    /// <summary>
    /// SIGKILLs every process of <paramref name="group"/> but <paramref name="keepPid"/>, round after round until no
    /// other is left (a process may fork between the listing and its kill), at most 100 rounds.
    /// </summary>
    public static void KillAllBut(string group, int keepPid)
    {
        for (var round = 0; round < 100; round++)
        {
            var others = CgroupFiles.Processes(group).Where(pid => pid != keepPid).ToList();
            if (others.Count == 0)
                return;
            foreach (var pid in others)
                _ = Native.Libc.kill(pid, Native.Libc.SIGKILL);
            Thread.Sleep(round < 10 ? 1 : 10);
        }
    }
}
