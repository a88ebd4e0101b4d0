using Capsule.Agent.Limits;
using Capsule.Agent.Logging;
using Capsule.Agent.Native;
using Capsule.Agent.Protocol;
using Microsoft.Extensions.Logging;

namespace Capsule.Agent.Exec;

/// <summary>
/// Runs bash execs, each on its own thread, as calls to the session's warm shell (<see cref="BashShell"/>): it forks
/// a shell per call, in a process group of its own, with stdin on /dev/null, stdout and stderr on the call's fifos and
/// the session's env from <see cref="BashState"/>. The exec ends when the monitor reports that shell's exit; output
/// still in the fifos is forwarded, and background children that keep them open are not waited for. A timeout or
/// stop kills the call's tree (its group and its descendants), never the warm shell.
/// With <paramref name="cgroups"/>, each exec runs in its own leaf (the call's shell moves itself in first thing),
/// which reports OOM kills and refused forks and is killed as a whole on a timeout, a stop, an OOM kill, or a fork
/// refused by the process limit.
/// </summary>
internal sealed class BashRunner(BashShell shell, BashState state, UserCgroups? cgroups, ILogger logger)
{
    /// <summary>How often an exec whose shell has not said its pid yet checks that the warm shell is still there.</summary>
    private const int ShellCheckMs = 100;

    /// <summary>Attempts per exec; another is made only when the warm shell died without taking the request.</summary>
    private const int MaxAttempts = 3;

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
        var group = NewGroup();
        BashCall call;
        BashShell.Instance taker;
        try
        {
            call = BashCall.Create(state.Directory, Interlocked.Increment(ref _calls), exec.Code);
            try
            {
                taker = shell.Send(call.Number, call.NextAttempt(), group);
            }
            catch
            {
                call.Dispose();
                throw;
            }
        }
        catch (IOException e)
        {
            exec.Output(OutputStream.Stderr, System.Text.Encoding.UTF8.GetBytes($"capsule-agent: cannot start {BashShell.BashPath}: {e.Message}\n"));
            exec.Complete(127, timedOut: false, wallMs: clock.Elapsed.TotalMilliseconds, cpuMs: 0);
            if (group is not null)
                cgroups!.Release(group);
            return;
        }

        using (call)
        {
            using var wake = new WakeFd();
            exec.OnInterrupt(wake.Set);
            var pump = new OutputPump();
            var fds = new Libc.PollFd[4];
            fds[0] = new Libc.PollFd { Fd = call.StdoutFd, Events = Libc.POLLIN };
            fds[1] = new Libc.PollFd { Fd = call.StderrFd, Events = Libc.POLLIN };
            fds[2] = new Libc.PollFd { Fd = call.StatusFd, Events = Libc.POLLIN };
            fds[3] = new Libc.PollFd { Fd = wake.Handle, Events = Libc.POLLIN };
            var killed = false;
            var timedOut = false;
            var ranNot = false; // withdrawn before any shell took it
            var lost = false;   // the monitor went away without the exit
            var claimed = false; // a monitor took the current attempt
            while (!call.Ended)
            {
                var waitMs = -1;
                if (!killed && exec.Timeout is { } timeout)
                    waitMs = (int)Math.Clamp((timeout - clock.Elapsed).TotalMilliseconds + 1, 0, int.MaxValue);
                if (call.Pid is null)
                    waitMs = waitMs < 0 ? ShellCheckMs : Math.Min(waitMs, ShellCheckMs);
                for (var i = 0; i < fds.Length; i++)
                    fds[i].Revents = 0;
                Fd.Poll(fds, waitMs);
                for (var i = 0; i < 2; i++)
                {
                    if (fds[i].Revents != 0 && !pump.Pump(fds[i].Fd, i == 0 ? OutputStream.Stdout : OutputStream.Stderr, exec))
                        fds[i].Fd = -1; // end of file: stop polling it
                }
                if (fds[2].Revents != 0)
                    call.ReadStatus();
                if (fds[3].Revents != 0)
                    wake.Consume();
                if (call.Ended)
                    break;
                if (call.Pid is null && !claimed && taker.HasExited)
                {
                    // The warm shell died. A monitor that claimed the request runs on without it and will say its pid;
                    // if none did, none ever will (the claim is now the agent's), and a new shell gets the request.
                    if (!call.TryWithdraw())
                    {
                        claimed = true;
                    }
                    else if (exec.Stop != ExecStop.None || call.Attempts >= MaxAttempts || !TryResend(call, group, ref taker))
                    {
                        ranNot = true;
                        break;
                    }
                }
                if (call.Pid is null && claimed && call.ClaimantPid() is { } monitor && !IsAlive(monitor))
                {
                    call.ReadStatus();
                    if (call.Pid is null)
                    {
                        // Its monitor died before it forked the call's shell (or before it said so).
                        lost = true;
                        break;
                    }
                }
                if (killed)
                    continue;
                var stop = exec.Stop != ExecStop.None;
                var timeUp = exec.Timeout is { } limit && clock.Elapsed >= limit;
                if (!stop && !timeUp)
                    continue;
                if (call.Pid is { } pid)
                {
                    Kill(pid, group);
                    killed = true;
                    timedOut = timeUp && !stop;
                }
                else if (!claimed && call.TryWithdraw())
                {
                    ranNot = true; // no monitor has it, and none will run it now
                    timedOut = timeUp && !stop;
                    break;
                }
                else
                {
                    claimed = true;
                    if (call.ClaimantPid() is { } claimant)
                    {
                        // Claimed, no pid yet: the monitor and whatever it forked go; the leaf is killed below.
                        ProcessTree.Kill(claimant, includeRoot: true, sessionId: null);
                        killed = true;
                        timedOut = timeUp && !stop;
                        break;
                    }
                }
            }
            if (call.Ended && call.ExitCode is null)
                lost = true;
            if (lost && !killed && call.Pid is { } orphan)
                Kill(orphan, group);
            var wallMs = clock.Elapsed.TotalMilliseconds;
            // The leaf first: what a fork bomb left behind is killed before the fifos are drained.
            var report = group is null ? default : cgroups!.FinishExecGroup(group, kill: killed || lost || ranNot);
            pump.Drain(call.StdoutFd, OutputStream.Stdout, exec);
            pump.Drain(call.StderrFd, OutputStream.Stderr, exec);
            state.Commit(call.SnapshotPath, startGeneration, keep: !killed && !lost && call.ExitCode is not null);
            if (ranNot && !timedOut && exec.Stop == ExecStop.None)
                exec.Note("capsule-agent: the session's bash shell ended before it could run this exec\n");
            if (lost && !ranNot)
                exec.Note("capsule-agent: the monitor of this exec was killed; its exit status is unknown\n");
            if (report.HitProcessLimit)
                exec.Note(GroupReport.ProcessLimitNote);
            if (report.OomKilled)
            {
                exec.MarkOomKilled();
                exec.Note(GroupReport.OomNote);
            }
            exec.Complete(call.ExitCode ?? 1, timedOut, wallMs, call.CpuMs);
        }
    }

    private static bool IsAlive(int pid) => Libc.kill(pid, 0) == 0 || Libc.LastError != Libc.ESRCH;

    private bool TryResend(BashCall call, string? group, ref BashShell.Instance taker)
    {
        try
        {
            taker = shell.Send(call.Number, call.NextAttempt(), group);
            return true;
        }
        catch (IOException e)
        {
            logger.BashShellFailed(e);
            return false;
        }
    }

    /// <summary>The exec's own leaf, or null without cgroups (or if it cannot be made: the exec then runs without one).</summary>
    private string? NewGroup()
    {
        if (cgroups is null)
            return null;
        cgroups.RefreshMemoryMax();
        try
        {
            return cgroups.NewExecGroup();
        }
        catch (IOException e)
        {
            logger.CgroupFailed(e, "a new exec group");
            return null;
        }
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
