using System.Globalization;
using System.Text;
using Capsule.Agent.Limits;
using Capsule.Agent.Logging;
using Capsule.Agent.Native;
using Microsoft.Extensions.Logging;

namespace Capsule.Agent.Exec;

/// <summary>
/// The session's warm bash (<see cref="BashScript.Shell"/>) and the one spare it keeps forked ahead of the next call,
/// so a call costs neither bash's exec and start-up nor a fork. The warm shell runs no user code, so nothing a call
/// does (<c>exit</c>, <c>exec</c>, <c>set -e</c>, <c>cd</c>) changes it; it holds no state either (that is
/// <see cref="BashState"/>'s file), so when it dies (SIGKILL to <c>$$</c>) the next <see cref="Dispatch"/> starts
/// another and retires its spare, and calls already running run on. It sits in the agent's own cgroup, outside the
/// user tree's limits, like the agent.
/// </summary>
/// <remarks>
/// Hand-over of one call (docs/agent-protocol.md §4), under one lock so only one order is in flight:
/// <list type="number">
/// <item>Wait for a live spare of the current warm shell (asking the warm shell for one if none is coming).</item>
/// <item>Write the order <c>take-PID</c> (<c>N CGROUP</c>), then one byte on the spares' wake pipe.</item>
/// <item>Wait for <c>took PID</c>; every 100 ms check that the spare lives (resend the byte if it does, try a new spare
/// if it died: the order was not taken, so nothing ran), and whether the caller gave up (then the spare is
/// SIGKILLed: an order that was not taken by then never runs).</item>
/// <item>On <c>took</c>, watch the spare's exit through the reaper and ask the warm shell for the next spare.</item>
/// </list>
/// </remarks>
internal sealed class BashShell(ChildReaper reaper, int devNull, string callDirectory, string workDir, string statePath, UserCgroups? cgroups, ILogger logger)
{
    public const string BashPath = "/bin/bash";

    /// <summary>How often a hand-over checks that its spare and the warm shell are still there.</summary>
    private const int CheckMs = 100;

    /// <summary>Spares tried per call; another is tried only when one died before it took the order.</summary>
    private const int MaxAttempts = 3;

    /// <summary>How long a hand-over waits for a spare it asked for before it asks again (a fork may have failed).</summary>
    private static readonly TimeSpan AskAgainAfter = TimeSpan.FromSeconds(5);

    private static readonly byte[] WakeByte = "\n"u8.ToArray();

    private readonly object _gate = new();
    private readonly StringBuilder _notices = new();
    private readonly byte[] _buffer = new byte[512];
    private readonly HashSet<int> _took = [];
    private readonly HashSet<string> _leavesAsked = []; // handed to the warm shell for spares not ready yet
    private Pipes? _pipes;
    private Instance? _current;
    private Spare? _spare;
    private long _askedAt = -1;

    /// <summary>One started warm shell: its pid, its exit, and the agent's end of its control pipe.</summary>
    public sealed class Instance(int pid, Task<ChildExit> exit, int controlFd)
    {
        public int Pid => pid;
        public Task<ChildExit> Exit => exit;
        public int ControlFd => controlFd;
        public bool HasExited => exit.IsCompleted;
    }

    /// <summary>The pipes every warm shell and spare share, made once: the wake pipe and the notice pipe.</summary>
    private sealed record Pipes(int WakeRead, int WakeWrite, int NoticeRead, int NoticeWrite);

    /// <summary>A call taken by a spare: the call's shell, its exit (reaped by the agent), and its cgroup leaf (null: none).</summary>
    public sealed record Taken(int Pid, Task<ChildExit> Exit, string? Group);

    /// <summary>A spare that said ready: its pid and the leaf it moved into (null: none).</summary>
    private sealed record Spare(int Pid, string? Group);

    /// <summary>The pid of the current warm shell, if one runs (for tests and logs).</summary>
    public int? WarmPid
    {
        get
        {
            lock (_gate)
                return _current is { HasExited: false } current ? current.Pid : null;
        }
    }

    /// <summary>Starts the shell and its first spare ahead of the first call (a failure is logged; the first call tries again).</summary>
    public void Warm()
    {
        try
        {
            lock (_gate)
            {
                var shell = Live();
                AskForSpare(shell);
            }
        }
        catch (IOException e)
        {
            logger.BashShellFailed(e);
        }
    }

    /// <summary>
    /// Hands call <paramref name="call"/> (files under the call directory, see <see cref="BashCall"/>) to a spare, which
    /// runs it in the leaf it moved into when it was made. <paramref name="remainingMs"/> says how long the caller still waits (-1:
    /// no limit; 0: it gives up, for a timeout or a stop); <paramref name="wakeFd"/> is set when that may have changed.
    /// Returns the spare that took it, or null if none did (nothing of the call ran). Throws
    /// <see cref="IOException"/> when no warm shell can be started.
    /// </summary>
    public Taken? Dispatch(long call, Func<int> remainingMs, int wakeFd, Action onExit)
    {
        while (!Monitor.TryEnter(_gate, CheckMs))
        {
            if (remainingMs() == 0)
                return null;
        }
        try
        {
            for (var attempt = 0; attempt < MaxAttempts; attempt++)
            {
                if (WaitForSpare(remainingMs, wakeFd) is not { } spare)
                    return null;
                var order = OrderPath(spare.Pid);
                File.WriteAllText(order, string.Create(CultureInfo.InvariantCulture, $"{call}\n"));
                try
                {
                    switch (AwaitTook(spare, remainingMs, wakeFd))
                    {
                        case TookOutcome.Took:
                            return Handed(spare, onExit);
                        case TookOutcome.GaveUp:
                            return null;
                    }
                }
                finally
                {
                    File.Delete(order);
                }
            }
            return null;
        }
        finally
        {
            Monitor.Exit(_gate);
        }
    }

    private enum TookOutcome { Took, Died, GaveUp }

    /// <summary>Step 3: waits for <c>took</c> from the spare; under the gate.</summary>
    private TookOutcome AwaitTook(Spare spare, Func<int> remainingMs, int wakeFd)
    {
        var pipes = _pipes!;
        Fd.WriteAll(pipes.WakeWrite, WakeByte);
        while (true)
        {
            ReadNotices();
            if (_took.Remove(spare.Pid))
                return TookOutcome.Took;
            if (!IsAlive(spare.Pid))
            {
                // A took written just before it died is in the pipe by now.
                ReadNotices();
                if (_took.Remove(spare.Pid))
                    return TookOutcome.Took;
                Discard(spare);
                return TookOutcome.Died;
            }
            var remaining = remainingMs();
            if (remaining == 0)
            {
                // Killed before it took the order, it never runs it; killed after, the caller kills a running call.
                KillAndWait(spare.Pid);
                ReadNotices();
                if (_took.Remove(spare.Pid))
                    return TookOutcome.Took;
                Discard(spare);
                return TookOutcome.GaveUp;
            }
            if (PollNotices(wakeFd, remaining) == 0)
            {
                // Nothing in 100 ms: a stale spare may have eaten the byte; one more costs nothing.
                Fd.WriteAll(pipes.WakeWrite, WakeByte);
            }
        }
    }

    /// <summary>Step 4: the spare is the call's shell now; the warm shell forks the next spare meanwhile.</summary>
    private Taken Handed(Spare spare, Action onExit)
    {
        _spare = null;
        var exit = reaper.Adopt(spare.Pid, onExit);
        if (_current is { HasExited: false } shell)
        {
            try
            {
                AskForSpare(shell);
            }
            catch (IOException)
            {
                // It died: the next call starts another.
            }
        }
        return new Taken(spare.Pid, exit, spare.Group);
    }

    /// <summary>Step 1: a live spare of the current warm shell, or null if the caller gave up first; under the gate.</summary>
    private Spare? WaitForSpare(Func<int> remainingMs, int wakeFd)
    {
        while (true)
        {
            var shell = Live();
            ReadNotices();
            if (_spare is { } spare)
            {
                if (IsAlive(spare.Pid))
                    return spare;
                Discard(spare);
            }
            if (_askedAt < 0 || System.Diagnostics.Stopwatch.GetElapsedTime(_askedAt) > AskAgainAfter)
            {
                try
                {
                    AskForSpare(shell);
                }
                catch (IOException)
                {
                    continue; // EPIPE: it died since the check; the next round starts another.
                }
            }
            var remaining = remainingMs();
            if (remaining == 0)
                return null;
            PollNotices(wakeFd, remaining);
        }
    }

    /// <summary>Asks the warm shell for a spare, with a leaf made ahead for it (the call's leaf).</summary>
    private void AskForSpare(Instance shell)
    {
        _askedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        string? leaf = null;
        if (cgroups is not null)
        {
            cgroups.RefreshMemoryMax();
            try
            {
                leaf = cgroups.NewExecGroup();
            }
            catch (IOException e)
            {
                logger.CgroupFailed(e, "a new exec group"); // its call runs without one
            }
        }
        try
        {
            Fd.WriteAll(shell.ControlFd, Encoding.UTF8.GetBytes((leaf ?? "-") + "\n"));
        }
        catch
        {
            Release(leaf);
            throw;
        }
        if (leaf is not null)
            _leavesAsked.Add(leaf);
    }

    /// <summary>Forgets a spare that will never take a call (dead or killed), and lets its leaf go.</summary>
    private void Discard(Spare spare)
    {
        if (_spare == spare)
            _spare = null;
        Release(spare.Group);
    }

    private void Release(string? leaf)
    {
        if (leaf is not null)
            cgroups?.Release(leaf);
    }

    /// <summary>Waits up to 100 ms (less if the caller's time is shorter) for a notice or the caller's wake-up.</summary>
    private int PollNotices(int wakeFd, int remainingMs)
    {
        Span<Libc.PollFd> fds =
        [
            new Libc.PollFd { Fd = _pipes!.NoticeRead, Events = Libc.POLLIN },
            new Libc.PollFd { Fd = wakeFd, Events = Libc.POLLIN },
        ];
        return Fd.Poll(fds, remainingMs < 0 ? CheckMs : Math.Min(remainingMs, CheckMs));
    }

    /// <summary>
    /// Reads the notices written so far: a <c>ready</c> from a spare of the current warm shell becomes the spare (one
    /// at a time); any other spare is killed (it has no order, so it never ran anything). Under the gate.
    /// </summary>
    private void ReadNotices()
    {
        var pipes = _pipes!;
        int n;
        while ((n = Fd.TryRead(pipes.NoticeRead, _buffer)) > 0)
            _notices.Append(Encoding.ASCII.GetString(_buffer, 0, n));
        int newline;
        while ((newline = _notices.ToString().IndexOf('\n', StringComparison.Ordinal)) >= 0)
        {
            var fields = _notices.ToString(0, newline).Split(' ');
            _notices.Remove(0, newline + 1);
            if (fields.Length == 2 && fields[0] == "took" && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var took))
            {
                _took.Add(took);
            }
            else if (fields.Length == 4 && fields[0] == "ready"
                && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ready)
                && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var parent))
            {
                var leaf = fields[3] == "-" ? null : fields[3];
                if (leaf is not null)
                    _leavesAsked.Remove(leaf);
                var spare = new Spare(ready, leaf);
                if (_spare is null && _current is { HasExited: false } shell && shell.Pid == parent)
                {
                    _spare = spare;
                    _askedAt = -1;
                }
                else
                {
                    KillAndWait(ready);
                    Release(leaf);
                }
            }
        }
        // A took that nobody waits for (its hand-over gave up at that moment) must not pile up.
        if (_took.Count > 64)
            _took.Clear();
    }

    /// <summary>The running shell, started if needed; call under the gate.</summary>
    private Instance Live()
    {
        if (_current is { HasExited: false } current)
            return current;
        if (_current is not null)
            Retire(_current);
        var pipes = _pipes ??= NewPipes();
        var (controlRead, controlWrite) = Fd.Pipe();
        try
        {
            var (pid, exit) = reaper.Spawn(new SpawnSpec
            {
                Path = BashPath,
                Argv = ["bash", "--noprofile", "--norc", "-c", BashScript.Shell, "bash", callDirectory, workDir, statePath],
                Env = [],
                // stdout and stderr: job notices ("[1]+ Done ...") of the warm shell and the middle shells go nowhere.
                Fds = new Dictionary<int, int>
                {
                    [0] = devNull,
                    [1] = devNull,
                    [2] = devNull,
                    [BashScript.ControlFd] = controlRead,
                    [BashScript.WakeFd] = pipes.WakeRead,
                    [BashScript.NoticeFd] = pipes.NoticeWrite,
                },
                WorkingDirectory = "/",
            });
            _current = new Instance(pid, exit, controlWrite);
            _askedAt = -1;
            logger.BashShellStarted(pid);
            return _current;
        }
        catch
        {
            Fd.Close(controlWrite);
            throw;
        }
        finally
        {
            Fd.Close(controlRead);
        }
    }

    private static Pipes NewPipes()
    {
        var (wakeRead, wakeWrite) = Fd.Pipe();
        var (noticeRead, noticeWrite) = Fd.Pipe();
        Fd.SetNonBlocking(noticeRead);
        return new Pipes(wakeRead, wakeWrite, noticeRead, noticeWrite);
    }

    /// <summary>Ends a dead warm shell's reign: its control pipe closes and its spare, which never ran anything, is killed.</summary>
    private void Retire(Instance shell)
    {
        if (!ReferenceEquals(_current, shell))
            return;
        _current = null;
        Fd.Close(shell.ControlFd);
        if (_spare is { } spare)
        {
            KillAndWait(spare.Pid);
            Discard(spare);
        }
        // Leaves of spares it never made: a late one from it is killed when it says ready.
        foreach (var leaf in _leavesAsked)
            Release(leaf);
        _leavesAsked.Clear();
        if (shell.Exit.IsCompleted)
            logger.BashShellExited(shell.Pid, shell.Exit.Result.ExitCode);
    }

    private string OrderPath(int spare) => Path.Join(callDirectory, string.Create(CultureInfo.InvariantCulture, $"take-{spare}"));

    private static bool IsAlive(int pid) => Libc.kill(pid, 0) == 0 || Libc.LastError != Libc.ESRCH;

    /// <summary>SIGKILLs an idle spare (its group: itself) and waits, bounded, until the reaper has taken it.</summary>
    private static void KillAndWait(int pid)
    {
        _ = Libc.kill(-pid, Libc.SIGKILL);
        _ = Libc.kill(pid, Libc.SIGKILL);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (IsAlive(pid) && clock.Elapsed < TimeSpan.FromSeconds(5))
            Thread.Sleep(2);
    }
}
