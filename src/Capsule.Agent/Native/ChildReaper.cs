namespace Capsule.Agent.Native;

/// <summary>
/// The agent's only waiter for children: one thread in <c>wait4(-1)</c>. As PID 1 (or a child
/// subreaper in --listen mode) it also reaps orphans it never started; their exits are ignored.
/// A spawn and its registration happen under one lock that the reaper also takes, so an exit that
/// comes before the registration finishes still finds its entry.
/// </summary>
internal sealed unsafe class ChildReaper
{
    private readonly object _gate = new();
    private readonly Dictionary<int, Waiter> _waiters = [];
    private readonly AutoResetEvent _spawned = new(false);

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

    private void Run()
    {
        while (true)
        {
            int status;
            Libc.Rusage usage;
            var pid = Libc.wait4(-1, &status, 0, &usage);
            if (pid > 0)
            {
                Waiter? waiter;
                lock (_gate)
                    _waiters.Remove(pid, out waiter);
                if (waiter is null)
                    continue;
                var exit = new ChildExit(status,
                    Time(usage.UserSeconds, usage.UserMicroseconds),
                    Time(usage.SystemSeconds, usage.SystemMicroseconds));
                waiter.Exit.TrySetResult(exit);
                waiter.OnExit?.Invoke();
                continue;
            }
            // ECHILD: nothing to wait for until the next spawn; orphans adopted meanwhile are reaped within a second.
            if (Libc.LastError != Libc.EINTR)
                _spawned.WaitOne(TimeSpan.FromSeconds(1));
        }
    }

    private static TimeSpan Time(long seconds, long microseconds) =>
        TimeSpan.FromSeconds(seconds) + TimeSpan.FromMicroseconds(microseconds);
}
