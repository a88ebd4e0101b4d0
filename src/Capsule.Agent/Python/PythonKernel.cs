using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Capsule.Agent.Env;
using Capsule.Agent.Exec;
using Capsule.Agent.Limits;
using Capsule.Agent.Logging;
using Capsule.Agent.Native;
using Capsule.Agent.Protocol;
using Microsoft.Extensions.Logging;

namespace Capsule.Agent.Python;

/// <summary>
/// Owns the session's one interpreter and runs its work one item at a time, in arrival order, on a
/// dedicated thread: python execs (and auto execs, which turn into bash when the kernel says the code
/// is not python) and env updates. The thread polls the interpreter's stdout, stderr and reply pipes
/// plus a wake fd (set by a stop request or by the interpreter's death).
/// Timeout or stop: SIGINT (KeyboardInterrupt) and SIGKILL for the interpreter's descendants; if no
/// reply comes within <see cref="InterruptGrace"/>, the interpreter is killed and restarted.
/// With <paramref name="cgroups"/>, the interpreter lives in its own group: an exec during which the OOM killer killed
/// a process of that group says so, and one during which a fork was refused by the process limit or the OOM killer
/// struck has every process of the group but the interpreter killed when it ends.
/// </summary>
internal sealed class PythonKernel(
    ChildReaper reaper, KernelLaunch? launch, SessionEnv env, BashRunner bash, int devNull, UserCgroups? cgroups, ILogger logger)
{
    public static readonly TimeSpan InterruptGrace = TimeSpan.FromSeconds(2);

    private readonly BlockingCollection<Work> _queue = [];
    private readonly WakeFd _wake = new();
    private readonly OutputPump _pump = new();
    private readonly ReplyReader _replies = new();
    private KernelProcess? _process;

    private sealed record Work(ExecHandle? Exec, bool Auto, Dictionary<string, string>? Env);

    public bool Available => launch is not null;

    /// <summary>
    /// Starts the work thread, which starts the interpreter before anything else (so the first exec
    /// does not wait for it, and the agent's own start-up does not wait for the spawn).
    /// </summary>
    public void Start()
    {
        if (launch is null)
            return;
        var thread = new Thread(Loop, maxStackSize: 512 * 1024) { IsBackground = true, Name = "python-kernel" };
        thread.Start();
    }

    public void Enqueue(ExecHandle exec, bool auto) => _queue.Add(new Work(exec, auto, null));

    public void EnqueueEnv(Dictionary<string, string> values)
    {
        if (launch is not null)
            _queue.Add(new Work(null, false, values));
    }

    private void Loop()
    {
        StartProcess();
        foreach (var work in _queue.GetConsumingEnumerable())
        {
            try
            {
                if (work.Exec is { } exec)
                    RunExec(exec, work.Auto);
                else if (work.Env is { } values)
                    ApplyEnv(values);
            }
            catch (Exception e)
            {
                // PID 1 must not die of one request's bug: log it, end the exec, start afresh.
                logger.WorkerFailed(e, "python kernel");
                if (work.Exec is { } failed)
                {
                    failed.Note("capsule-agent: internal error, see the guest console\n");
                    failed.Complete(1, timedOut: false, wallMs: 0, cpuMs: 0);
                }
                Restart("internal error");
            }
        }
    }

    private void RunExec(ExecHandle exec, bool auto)
    {
        if (!exec.TryStart())
            return;
        exec.OnInterrupt(_wake.Set);
        var clock = Stopwatch.StartNew();
        if (EnsureProcess(exec) is not { } process)
        {
            exec.Output(OutputStream.Stderr, Encoding.UTF8.GetBytes($"capsule-agent: cannot start {launch!.PythonPath}\n"));
            exec.Complete(127, timedOut: false, wallMs: clock.Elapsed.TotalMilliseconds, cpuMs: 0);
            return;
        }
        _pump.Drain(process.StdoutFd, OutputStream.Stdout, null);
        _pump.Drain(process.StderrFd, OutputStream.Stderr, null);
        _replies.Reset();
        cgroups?.RefreshMemoryMax();
        var groupBefore = ReadGroup();
        try
        {
            process.Send(new KernelRequest { Op = KernelRequest.ExecOp, Code = exec.Code, Auto = auto });
        }
        catch (IOException)
        {
            // The interpreter died between two execs; the wait below sees its exit.
        }

        var fds = new Libc.PollFd[4];
        fds[0] = new Libc.PollFd { Fd = process.StdoutFd, Events = Libc.POLLIN };
        fds[1] = new Libc.PollFd { Fd = process.StderrFd, Events = Libc.POLLIN };
        fds[2] = new Libc.PollFd { Fd = process.RepliesFd, Events = Libc.POLLIN };
        fds[3] = new Libc.PollFd { Fd = _wake.Handle, Events = Libc.POLLIN };
        var buffer = new byte[4096];
        KernelReply? reply = null;
        var interrupted = false;
        var timedOut = false;
        var died = false;
        var killedByUs = false;
        var graceEnds = TimeSpan.Zero;
        while (reply is null && !died)
        {
            var waitMs = -1;
            if (interrupted)
                waitMs = Milliseconds(graceEnds - clock.Elapsed);
            else if (exec.Timeout is { } timeout)
                waitMs = Milliseconds(timeout - clock.Elapsed);
            for (var i = 0; i < fds.Length; i++)
                fds[i].Revents = 0;
            Fd.Poll(fds, waitMs);
            for (var i = 0; i < 2; i++)
            {
                if (fds[i].Revents != 0 && !_pump.Pump(fds[i].Fd, i == 0 ? OutputStream.Stdout : OutputStream.Stderr, exec))
                    fds[i].Fd = -1;
            }
            if (fds[2].Revents != 0)
            {
                var n = Fd.TryRead(process.RepliesFd, buffer);
                if (n == 0)
                {
                    died = true;
                }
                else if (n > 0)
                {
                    _replies.Append(buffer.AsSpan(0, n));
                    _replies.TryTake(out reply);
                }
            }
            if (fds[3].Revents != 0)
                _wake.Consume();
            if (reply is not null)
                break;
            if (process.Exit.IsCompleted)
            {
                died = true;
            }
            else if (!interrupted && (exec.Stop != ExecStop.None || (exec.Timeout is { } limit && clock.Elapsed >= limit)))
            {
                timedOut = exec.Stop == ExecStop.None;
                interrupted = true;
                graceEnds = clock.Elapsed + InterruptGrace;
                process.Interrupt();
                KillChildrenInGroup(process.Pid);
            }
            else if (interrupted && clock.Elapsed >= graceEnds)
            {
                process.Kill();
                died = killedByUs = true;
            }
        }

        var wallMs = clock.Elapsed.TotalMilliseconds;
        // The group first: forks left running by a cell that hit the limit are killed before the pipes are drained.
        var group = ReadGroup().Since(groupBefore);
        var killChildren = group.HitProcessLimit || group.OomKilled;
        if (killChildren)
            KillChildrenInGroup(process.Pid);
        _pump.Drain(process.StdoutFd, OutputStream.Stdout, exec);
        _pump.Drain(process.StderrFd, OutputStream.Stderr, exec);
        if (group.HitProcessLimit)
            exec.Note(GroupReport.ProcessLimitNote);
        var exit = died && process.Exit.Wait(TimeSpan.FromSeconds(10)) ? process.Exit.Result : default;
        var oomKilledInterpreter = died && !killedByUs && group.OomKilled && exit.Signal == Libc.SIGKILL;
        if (group.OomKilled)
        {
            exec.MarkOomKilled();
            if (!oomKilledInterpreter)
                exec.Note(GroupReport.OomNote);
        }

        if (died)
        {
            var why = killedByUs
                ? $"did not stop within {InterruptGrace.TotalSeconds:0} s of the interrupt"
                : oomKilledInterpreter
                    ? "was killed by the out-of-memory killer (the guest ran out of memory)"
                    : $"exited (status {exit.ExitCode})";
            exec.Note($"\n[capsule] The Python interpreter {why} and was restarted; variables and imports from earlier executions are lost.\n");
            Restart(why);
            exec.Complete(exit.ExitCode, timedOut, wallMs, exit.CpuMs);
            return;
        }
        if (killChildren && cgroups is not null)
            Roundtrip(process, new KernelRequest { Op = KernelRequest.ReapOp }); // its killed children are zombies until it reaps them
        if (reply!.NotPython == true && !interrupted)
        {
            bash.StartStarted(exec);
            return;
        }
        exec.Complete(reply.ExitCode ?? 1, timedOut, wallMs, reply.CpuMs ?? 0);
    }

    private void ApplyEnv(Dictionary<string, string> values)
    {
        if (_process is null || _process.Exit.IsCompleted)
            return; // a new interpreter starts with the whole session env
        Roundtrip(_process, new KernelRequest { Op = KernelRequest.EnvOp, Env = values });
    }

    /// <summary>Sends a request that is not an exec and waits (up to 10 s) for its reply.</summary>
    private void Roundtrip(KernelProcess process, KernelRequest request)
    {
        try
        {
            process.Send(request);
        }
        catch (IOException)
        {
            return;
        }
        _replies.Reset();
        var buffer = new byte[4096];
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10) && !process.Exit.IsCompleted)
        {
            Fd.PollOne(process.RepliesFd, Libc.POLLIN, 100);
            var n = Fd.TryRead(process.RepliesFd, buffer);
            if (n == 0)
                return;
            if (n > 0)
            {
                _replies.Append(buffer.AsSpan(0, n));
                if (_replies.TryTake(out _))
                    return;
            }
        }
    }

    /// <summary>
    /// The running interpreter; one that died while idle is replaced, and the exec is told its state
    /// is gone. Null if python3 cannot be started at all.
    /// </summary>
    private KernelProcess? EnsureProcess(ExecHandle exec)
    {
        if (_process is { Exit.IsCompleted: true } dead)
        {
            var status = dead.Exit.Result.ExitCode;
            exec.Note($"[capsule] The Python interpreter had exited (status {status}) and was restarted; variables and imports from earlier executions are lost.\n");
            Restart($"exited while idle (status {status})");
        }
        else if (_process is null)
        {
            StartProcess();
        }
        return _process;
    }

    private void Restart(string reason)
    {
        if (_process is { } old)
        {
            if (!old.Exit.IsCompleted)
                old.Kill();
            old.Dispose();
            _process = null;
        }
        if (StartProcess())
            logger.KernelRestarted(_process!.Pid, reason);
    }

    private bool StartProcess()
    {
        try
        {
            _process = KernelProcess.Start(reaper, launch!, env.ToEnvp(), devNull, _wake.Set);
            logger.KernelStarted(_process.Pid);
            // No race with its children: the interpreter starts none before its first request.
            if (cgroups is not null)
            {
                try
                {
                    CgroupFiles.MoveIn(cgroups.PythonGroup, _process.Pid);
                }
                catch (IOException e)
                {
                    logger.CgroupFailed(e, cgroups.PythonGroup);
                }
            }
            return true;
        }
        catch (IOException e)
        {
            logger.KernelStartFailed(e, launch!.PythonPath);
            return false;
        }
    }

    /// <summary>The interpreter group's counters (zeros without cgroups).</summary>
    private GroupReport ReadGroup()
    {
        if (cgroups is null)
            return default;
        try
        {
            return GroupReport.Read(cgroups.PythonGroup);
        }
        catch (IOException e)
        {
            logger.CgroupFailed(e, cgroups.PythonGroup);
            return default;
        }
    }

    /// <summary>Kills every process of the interpreter's group but the interpreter (forks that escaped the ppid walk included).</summary>
    private void KillChildrenInGroup(int interpreterPid)
    {
        if (cgroups is null)
            return;
        try
        {
            UserCgroups.KillAllBut(cgroups.PythonGroup, interpreterPid);
        }
        catch (IOException e)
        {
            logger.CgroupFailed(e, cgroups.PythonGroup);
        }
    }

    private static int Milliseconds(TimeSpan left) => (int)Math.Clamp(Math.Ceiling(left.TotalMilliseconds), 0, int.MaxValue);
}
