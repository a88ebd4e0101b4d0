using Capsule.Agent.Limits;
using Capsule.Agent.Logging;
using Capsule.Agent.Native;
using Capsule.Agent.Protocol;
using Microsoft.Extensions.Logging;

namespace Capsule.Agent.Exec;

/// <summary>
/// Runs bash execs, each on its own thread, as calls handed to the session's spare shells (<see cref="BashShell"/>):
/// each call runs in a shell of its own, in a process group of its own, with stdin on /dev/null, stdout and stderr on
/// the call's fifos and the session's env from <see cref="BashState"/>. The exec ends when the agent reaps the call's
/// shell (its EXIT trap, if it ran, said its state is complete); output still
/// in the fifos is forwarded, and background children that keep them open are not waited for. A timeout or stop kills
/// the call's tree (its group and its descendants), never the warm shell.
/// With <paramref name="cgroups"/>, each exec runs in its own leaf (its spare moved in before it said ready),
/// which reports OOM kills and refused forks and is killed as a whole on a timeout, a stop, an OOM kill, or a fork
/// refused by the process limit.
/// </summary>
internal sealed class BashRunner(BashShell shell, BashState state, UserCgroups? cgroups, ILogger logger)
{
    private long _calls;

    /// <summary>Starts a queued exec (false if it was cancelled first).</summary>
    public void Start(ExecHandle exec)
    {
        if (exec.TryStart())
            StartStarted(exec);
    }

    /// <summary>Continues an exec that another runner already started (auto language that was not python).</summary>
    public void StartStarted(ExecHandle exec)
    {
        var thread = new Thread(() => Guard(exec), maxStackSize: 256 * 1024) { IsBackground = true, Name = $"bash-{exec.Id}" };
        try
        {
            thread.Start();
        }
        catch (OutOfMemoryException)
        {
            // No thread (the guest is out of memory or tasks): the exec still gets its exit.
            exec.Note("capsule-agent: cannot start a thread for this exec; the guest is out of memory or processes\n");
            exec.Complete(1, timedOut: false, wallMs: 0, cpuMs: 0);
        }
    }

    private void Guard(ExecHandle exec)
    {
        try
        {
            Run(exec);
        }
        catch (Exception e)
        {
            // PID 1 must not die of one exec's bug: log it and end the exec.
            logger.WorkerFailed(e, $"bash exec {exec.Id}");
            exec.Note("capsule-agent: internal error, see the guest console\n");
            exec.Complete(1, timedOut: false, wallMs: 0, cpuMs: 0);
        }
    }

    private void Run(ExecHandle exec)
    {
        var startGeneration = state.Generation;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        cgroups?.RefreshMemoryMax();
        BashCall call;
        try
        {
            call = BashCall.Create(state.Directory, Interlocked.Increment(ref _calls), exec.Code);
        }
        catch (IOException e)
        {
            CannotStart(exec, clock, e);
            return;
        }

        using (call)
        {
            using var wake = new WakeFd();
            exec.OnInterrupt(wake.Set);
            int RemainingMs()
            {
                if (exec.Stop != ExecStop.None)
                    return 0;
                if (exec.Timeout is not { } timeout)
                    return -1;
                return (int)Math.Clamp((timeout - clock.Elapsed).TotalMilliseconds + 1, 0, int.MaxValue);
            }
            BashShell.Taken? taken;
            try
            {
                taken = shell.Dispatch(call.Number, RemainingMs, wake.Handle, wake.Set);
            }
            catch (IOException e)
            {
                CannotStart(exec, clock, e);
                return;
            }
            var group = taken?.Group;
            var pump = new OutputPump();
            var killed = false;
            var timedOut = false;
            if (taken is null)
                timedOut = exec.Stop == ExecStop.None && exec.Timeout is { } limit && clock.Elapsed >= limit;
            else
                (killed, timedOut) = Follow(exec, call, taken, pump, wake, RemainingMs, group);
            // What wait4 said: a trap's $? can be wrong (a fork that failed for good exits 126 after a trap that saw 0).
            int? exitCode = taken is { Exit.IsCompletedSuccessfully: true } ? taken.Exit.Result.ExitCode : null;
            var cpuMs = taken is { Exit.IsCompletedSuccessfully: true } ? taken.Exit.Result.CpuMs : 0;
            var wallMs = clock.Elapsed.TotalMilliseconds;
            // The leaf first: what a fork bomb left behind is killed before the fifos are drained.
            var report = group is null || cgroups is null ? default : cgroups.FinishExecGroup(group, kill: killed);
            pump.Drain(call.StdoutFd, OutputStream.Stdout, exec);
            pump.Drain(call.StderrFd, OutputStream.Stderr, exec);
            state.Commit(call.SnapshotPath, startGeneration, keep: !killed && call.ExitCode is not null);
            if (taken is null && !timedOut && exec.Stop == ExecStop.None)
                exec.Note("capsule-agent: the session's bash shell ended before it could run this exec\n");
            if (report.HitProcessLimit)
                exec.Note(GroupReport.ProcessLimitNote);
            if (report.OomKilled)
            {
                exec.MarkOomKilled();
                exec.Note(GroupReport.OomNote);
            }
            exec.Complete(exitCode ?? 1, timedOut, wallMs, cpuMs);
        }
    }

    /// <summary>
    /// Forwards the output of a taken call until it is reaped (its trap's status read by then); kills its tree when the
    /// caller gives up. Returns whether it was killed, and whether for a timeout.
    /// </summary>
    private static (bool Killed, bool TimedOut) Follow(ExecHandle exec, BashCall call, BashShell.Taken taken, OutputPump pump, WakeFd wake, Func<int> remainingMs, string? group)
    {
        var fds = new Libc.PollFd[4];
        fds[0] = new Libc.PollFd { Fd = call.StdoutFd, Events = Libc.POLLIN };
        fds[1] = new Libc.PollFd { Fd = call.StderrFd, Events = Libc.POLLIN };
        fds[2] = new Libc.PollFd { Fd = call.StatusFd, Events = Libc.POLLIN };
        fds[3] = new Libc.PollFd { Fd = wake.Handle, Events = Libc.POLLIN };
        var killed = false;
        var timedOut = false;
        while (true)
        {
            if (taken.Exit.IsCompleted)
            {
                // Reaped: whatever its trap wrote is in the fifo by now.
                call.ReadStatus();
                break;
            }
            for (var i = 0; i < fds.Length; i++)
                fds[i].Revents = 0;
            Fd.Poll(fds, killed ? -1 : remainingMs());
            for (var i = 0; i < 2; i++)
            {
                if (fds[i].Revents != 0 && !pump.Pump(fds[i].Fd, i == 0 ? OutputStream.Stdout : OutputStream.Stderr, exec))
                    fds[i].Fd = -1; // end of file: stop polling it
            }
            if (fds[2].Revents != 0)
            {
                call.ReadStatus();
                if (call.Ended || (fds[2].Revents & Libc.POLLIN) == 0)
                    fds[2].Fd = -1; // complete, or closed without a whole status: the reap tells the rest
            }
            if (fds[3].Revents != 0)
                wake.Consume();
            if (killed || remainingMs() != 0)
                continue;
            Kill(taken.Pid, group);
            killed = true;
            timedOut = exec.Stop == ExecStop.None;
        }
        return (killed, timedOut);
    }

    private static void CannotStart(ExecHandle exec, System.Diagnostics.Stopwatch clock, IOException e)
    {
        exec.Output(OutputStream.Stderr, System.Text.Encoding.UTF8.GetBytes($"capsule-agent: cannot start {BashShell.BashPath}: {e.Message}\n"));
        exec.Complete(127, timedOut: false, wallMs: clock.Elapsed.TotalMilliseconds, cpuMs: 0);
    }

    /// <summary>
    /// Kills the call's tree: its leaf at once (forks cannot escape it), and the /proc walk for what is outside (the
    /// call's shell, its descendants, and its process group, which holds what was re-parented after its parent died).
    /// </summary>
    private static void Kill(int pid, string? group)
    {
        if (group is not null)
        {
            try
            {
                CgroupFiles.Kill(group);
            }
            catch (IOException)
            {
                // The walk below still runs.
            }
        }
        ProcessTree.Kill(pid, includeRoot: true, sessionId: null, groupId: pid);
    }
}
