using System.Diagnostics;
using Capsule.Agent.Limits;
using Capsule.Agent.Logging;
using Capsule.Agent.Native;
using Capsule.Agent.Protocol;
using Microsoft.Extensions.Logging;

namespace Capsule.Agent.Exec;

/// <summary>
/// Runs bash execs, each on its own thread: a fresh <c>/bin/bash</c> in a new session with an empty
/// environment and stdin on /dev/null (the session's env comes from <see cref="BashState"/>). The
/// exec ends when bash exits; output still in the pipes is forwarded, and background children that
/// keep the pipes open are not waited for. A timeout or stop kills the whole process tree.
/// With <paramref name="cgroups"/>, each exec runs in its own leaf (bash moves itself in first thing), which reports
/// OOM kills and refused forks and is killed as a whole on a timeout, a stop, an OOM kill, or a fork refused by the
/// process limit.
/// </summary>
internal sealed class BashRunner(ChildReaper reaper, BashState state, int devNull, string workDir, UserCgroups? cgroups, ILogger logger)
{
    public const string BashPath = "/bin/bash";

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
        var snapshot = state.NewSnapshotPath();
        var group = NewGroup();
        var (stdoutRead, stdoutWrite) = Fd.Pipe();
        var (stderrRead, stderrWrite) = Fd.Pipe();
        using var wake = new WakeFd();
        var clock = Stopwatch.StartNew();
        int pid;
        Task<ChildExit> exited;
        try
        {
            (pid, exited) = reaper.Spawn(new SpawnSpec
            {
                Path = BashPath,
                Argv = ["bash", "--noprofile", "--norc", "-c", BashScript.Wrapper(state.StatePath, snapshot, workDir, group), "bash", exec.Code],
                Env = [],
                Fds = new Dictionary<int, int> { [0] = devNull, [1] = stdoutWrite, [2] = stderrWrite },
                WorkingDirectory = Directory.Exists(workDir) ? workDir : "/",
            }, wake.Set);
        }
        catch (IOException e)
        {
            Fd.Close(stdoutRead);
            Fd.Close(stderrRead);
            exec.Output(OutputStream.Stderr, System.Text.Encoding.UTF8.GetBytes($"capsule-agent: cannot start {BashPath}: {e.Message}\n"));
            exec.Complete(127, timedOut: false, wallMs: clock.Elapsed.TotalMilliseconds, cpuMs: 0);
            if (group is not null)
                cgroups!.Release(group);
            return;
        }
        finally
        {
            Fd.Close(stdoutWrite);
            Fd.Close(stderrWrite);
        }

        Fd.SetNonBlocking(stdoutRead);
        Fd.SetNonBlocking(stderrRead);
        exec.OnInterrupt(wake.Set);
        var pump = new OutputPump();
        var fds = new Libc.PollFd[3];
        fds[0] = new Libc.PollFd { Fd = stdoutRead, Events = Libc.POLLIN };
        fds[1] = new Libc.PollFd { Fd = stderrRead, Events = Libc.POLLIN };
        fds[2] = new Libc.PollFd { Fd = wake.Handle, Events = Libc.POLLIN };
        var killed = false;
        var timedOut = false;
        while (!exited.IsCompleted)
        {
            var waitMs = -1;
            if (!killed && exec.Timeout is { } timeout)
                waitMs = (int)Math.Clamp((timeout - clock.Elapsed).TotalMilliseconds + 1, 0, int.MaxValue);
            for (var i = 0; i < fds.Length; i++)
                fds[i].Revents = 0;
            Fd.Poll(fds, waitMs);
            for (var i = 0; i < 2; i++)
            {
                if (fds[i].Revents != 0 && !pump.Pump(fds[i].Fd, i == 0 ? OutputStream.Stdout : OutputStream.Stderr, exec))
                    fds[i].Fd = -1; // end of file: stop polling it
            }
            if (fds[2].Revents != 0)
                wake.Consume();
            if (killed)
                continue;
            if (exec.Stop != ExecStop.None)
            {
                Kill(pid, group);
                killed = true;
            }
            else if (exec.Timeout is { } limit && clock.Elapsed >= limit)
            {
                Kill(pid, group);
                killed = timedOut = true;
            }
        }
        var exit = exited.Result;
        var wallMs = clock.Elapsed.TotalMilliseconds;
        // The leaf first: what a fork bomb left behind is killed before the pipes are drained.
        var report = group is null ? default : cgroups!.FinishExecGroup(group, kill: killed);
        pump.Drain(stdoutRead, OutputStream.Stdout, exec);
        pump.Drain(stderrRead, OutputStream.Stderr, exec);
        Fd.Close(stdoutRead);
        Fd.Close(stderrRead);
        state.Commit(snapshot, startGeneration, keep: !killed && exit.Exited);
        if (report.HitProcessLimit)
            exec.Note(GroupReport.ProcessLimitNote);
        if (report.OomKilled)
        {
            exec.MarkOomKilled();
            exec.Note(GroupReport.OomNote);
        }
        exec.Complete(exit.ExitCode, timedOut, wallMs, exit.CpuMs);
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

    /// <summary>Kills the exec's tree: its leaf at once (forks cannot escape it), and the /proc walk for what is outside.</summary>
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
        ProcessTree.Kill(pid, includeRoot: true, sessionId: pid);
    }
}
