namespace Capsule.Agent.Native;

/// <summary>
/// The agent's only waiter for children: one thread in <c>wait4(-1)</c>. As PID 1 (or a child
/// subreaper in --listen mode) it also reaps orphans it never started: the last
/// <see cref="RecentOrphans"/> of their exits are kept for <see cref="Adopt"/>, the rest are dropped.
/// A spawn and its registration happen under one lock that the reaper also takes, so an exit that
/// comes before the registration finishes still finds its entry.
/// </summary>
internal sealed unsafe class ChildReaper
{
    private readonly object _gate = new();
    private readonly Dictionary<int, Waiter> _waiters = [];
    private readonly AutoResetEvent _spawned = new(false);
    private readonly Dictionary<int, ChildExit> _orphanExits = [];
    private readonly Queue<int> _orphanOrder = new();

    /// <summary>How many exits of children nobody registered are kept for a late <see cref="Adopt"/>.</summary>
    public const int RecentOrphans = 64;

    private sealed record Waiter(TaskCompletionSource<ChildExit> Exit, Action? OnExit);

    public void Start()
    {
        var thread = new Thread(Run, maxStackSize: 256 * 1024) { IsBackground = true, Name = "reaper" };
        thread.Start();
    }

    /// <summary>Spawns a child and returns its pid and a task that completes when it has been reaped.</summary>
    /// <param name="onExit">Runs on the reaper thread right after the reap; keep it short (e.g. set a <see cref="WakeFd"/>).</param>
    public (int Pid, Task<ChildExit> Exit) Spawn(SpawnSpec spec, Action? onExit = null)
    {
        var exit = new TaskCompletionSource<ChildExit>(TaskCreationOptions.RunContinuationsAsynchronously);
        int pid;
        lock (_gate)
        {
            pid = Spawner.Spawn(spec);
            _waiters[pid] = new Waiter(exit, onExit);
        }
        _spawned.Set();
        return (pid, exit.Task);
    }

    /// <summary>
    /// Watches a process that was re-parented to the agent (a grandchild whose parent exited). Call it while
    /// <paramref name="pid"/> is known to have been alive since its last reap (it just wrote to the agent): if it still
    /// exists (or is a zombie), an exit kept from an earlier process with that pid is dropped and its own is awaited;
    /// if it is gone, the reaper already took its exit, which is kept.
    /// </summary>
    public Task<ChildExit> Adopt(int pid, Action? onExit = null)
    {
        var exit = new TaskCompletionSource<ChildExit>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var exists = Libc.kill(pid, 0) == 0 || Libc.LastError != Libc.ESRCH;
            if (_orphanExits.Remove(pid, out var kept) && !exists)
            {
                exit.TrySetResult(kept);
                onExit?.Invoke();
                return exit.Task;
            }
            _waiters[pid] = new Waiter(exit, onExit);
        }
        return exit.Task;
    }

    private void Run()
    {
        while (true)
        {
            int status;
            Libc.Rusage usage;
            var pid = Libc.wait4(-1, &status, 0, &usage);
            if (pid > 0)
            {
                var exit = new ChildExit(status,
                    Time(usage.UserSeconds, usage.UserMicroseconds),
                    Time(usage.SystemSeconds, usage.SystemMicroseconds));
                Waiter? waiter;
                lock (_gate)
                {
                    if (!_waiters.Remove(pid, out waiter))
                        KeepOrphanExit(pid, exit);
                }
                if (waiter is null)
                    continue;
                waiter.Exit.TrySetResult(exit);
                waiter.OnExit?.Invoke();
                continue;
            }
            // ECHILD: nothing to wait for until the next spawn; orphans adopted meanwhile are reaped within a second.
            if (Libc.LastError != Libc.EINTR)
                _spawned.WaitOne(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>Keeps the exit of a child nobody registered, forgetting the oldest past <see cref="RecentOrphans"/>; under the gate.</summary>
    private void KeepOrphanExit(int pid, ChildExit exit)
    {
        if (_orphanExits.TryAdd(pid, exit))
            _orphanOrder.Enqueue(pid);
        else
            _orphanExits[pid] = exit;
        while (_orphanOrder.Count > RecentOrphans)
            _orphanExits.Remove(_orphanOrder.Dequeue());
    }

    private static TimeSpan Time(long seconds, long microseconds) =>
        TimeSpan.FromSeconds(seconds) + TimeSpan.FromMicroseconds(microseconds);
}
