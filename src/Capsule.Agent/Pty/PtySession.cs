using System.Collections.Concurrent;
using Capsule.Agent.Connection;
using Capsule.Agent.Limits;
using Capsule.Agent.Logging;
using Capsule.Agent.Native;
using Capsule.Agent.Protocol;
using Microsoft.Extensions.Logging;

namespace Capsule.Agent.Pty;

/// <summary>
/// One shell on a pseudo terminal, served by a thread of its own (docs/agent-protocol.md, "pty"):
/// 1. Output: the thread reads the master only while the host's credit lasts (<see cref="Grant"/>), at most 64 KiB a
///    frame, so a guest that floods its terminal blocks in write(2) once the kernel's buffer is full instead of
///    growing anything on either side.
/// 2. Input is queued by the dispatcher and written by this thread as the master takes it (a shell that reads
///    nothing never blocks the dispatcher); at most <see cref="MaxQueuedInputBytes"/> wait, more is dropped.
/// 3. When the shell exits, what the master still holds is forwarded (as far as credit allows), whatever else is
///    left of its session and cgroup leaf is killed, and <c>pty_exit</c> goes out last.
/// 4. <see cref="Close"/> kills the shell's whole tree first; the exit follows as in 3, without the drain.
/// </summary>
internal sealed class PtySession
{
    private const int MaxFrameBytes = 64 * 1024;
    public const int MaxQueuedInputBytes = 1024 * 1024;

    /// <summary>How long an exited shell's output waits for credit before the exit is sent without it.</summary>
    private static readonly TimeSpan DrainPatience = TimeSpan.FromSeconds(5);

    private readonly long _id;
    private readonly PtyDevice _device;
    private readonly HostChannel _channel;
    private readonly ILogger _logger;
    private readonly WakeFd _wake = new();
    private readonly Lock _gate = new();
    private bool _done;
    private readonly ConcurrentQueue<byte[]> _input = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _credit;
    private long _queuedInput;
    private volatile bool _closing;
    private int _pid;
    private Task<ChildExit> _exit = null!;
    private string? _group;

    private PtySession(long id, PtyDevice device, long credit, HostChannel channel, ILogger logger)
    {
        _id = id;
        _device = device;
        _credit = credit;
        _channel = channel;
        _logger = logger;
    }

    public long Id => _id;

    /// <summary>Completes once <c>pty_exit</c> has been sent (or dropped with the connection).</summary>
    public Task Finished => _finished.Task;

    /// <summary>Opens the terminal and starts the shell; throws <see cref="IOException"/> when either fails.</summary>
    public static PtySession Start(long id, PtyLaunch launch, string shell, int cols, int rows, long credit, HostChannel channel, ILogger logger)
    {
        var device = PtyDevice.Open(cols, rows);
        var session = new PtySession(id, device, credit, channel, logger);
        try
        {
            session._group = launch.Cgroups?.NewExecGroup();
            (session._pid, session._exit) = launch.Reaper.Spawn(launch.Spec(shell, device.SlavePath), session.Wake);
            if (session._group is { } group)
            {
                try
                {
                    CgroupFiles.MoveIn(group, session._pid);
                }
                catch (IOException e)
                {
                    logger.CgroupFailed(e, group);
                }
            }
        }
        catch
        {
            if (session._group is { } group)
                launch.Cgroups!.Release(group);
            device.Dispose();
            session._wake.Dispose();
            throw;
        }
        logger.PtyStarted(id, shell, session._pid, device.SlavePath);
        var thread = new Thread(() => session.Serve(launch.Cgroups), maxStackSize: 256 * 1024) { IsBackground = true, Name = $"pty-{id}" };
        thread.Start();
        return session;
    }

    /// <summary>Queues keystrokes for the shell; false when the queue is full and they were dropped.</summary>
    public bool Input(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty || _closing)
            return true;
        if (Interlocked.Add(ref _queuedInput, bytes.Length) > MaxQueuedInputBytes)
        {
            Interlocked.Add(ref _queuedInput, -bytes.Length);
            return false;
        }
        _input.Enqueue(bytes.ToArray());
        Wake();
        return true;
    }

    /// <summary>Sets the window size (the kernel sends SIGWINCH to the foreground process group).</summary>
    public void Resize(int cols, int rows)
    {
        lock (_gate)
        {
            if (_done || _closing)
                return;
            try
            {
                PtyDevice.SetSize(_device.Master, cols, rows);
            }
            catch (IOException e)
            {
                _logger.WorkerFailed(e, $"pty {_id} resize");
            }
        }
    }

    /// <summary>The host has consumed <paramref name="bytes"/> more bytes of output.</summary>
    public void Grant(long bytes)
    {
        if (bytes <= 0)
            return;
        Interlocked.Add(ref _credit, bytes);
        Wake();
    }

    /// <summary>Kills the shell and everything it started; <c>pty_exit</c> follows.</summary>
    public void Close()
    {
        _closing = true;
        Wake();
    }

    /// <summary>Wakes the thread; a no-op once it has finished (its eventfd number may belong to something else by then).</summary>
    private void Wake()
    {
        lock (_gate)
        {
            if (!_done)
                _wake.Set();
        }
    }

    private void Serve(UserCgroups? cgroups)
    {
        var exitCode = 1;
        try
        {
            exitCode = Pump();
        }
        catch (Exception e)
        {
            _logger.WorkerFailed(e, $"pty {_id}");
            ProcessTree.Kill(_pid, includeRoot: true, sessionId: _pid);
        }
        finally
        {
            // Background jobs of the shell's session and anything left in its leaf end with the terminal.
            ProcessTree.Kill(_pid, includeRoot: false, sessionId: _pid);
            if (_group is { } group)
                cgroups!.FinishExecGroup(group, kill: true);
            lock (_gate)
            {
                _done = true;
                _device.Dispose();
                _wake.Dispose();
            }
            _logger.PtyEnded(_id, exitCode);
            _channel.Send(new AgentMessage { Kind = MessageKind.PtyExit, Id = _id, ExitCode = exitCode });
            _finished.TrySetResult();
        }
    }

    /// <summary>Moves bytes both ways until the shell has exited; returns its exit code.</summary>
    private int Pump()
    {
        var buffer = new byte[MaxFrameBytes];
        var fds = new Libc.PollFd[2];
        byte[]? pendingInput = null;
        var pendingOffset = 0;
        var killed = false;
        while (!_exit.IsCompleted)
        {
            if (_closing && !killed)
            {
                killed = true;
                ProcessTree.Kill(_pid, includeRoot: true, sessionId: _pid);
            }
            if (pendingInput is null && _input.TryDequeue(out var next))
            {
                pendingInput = next;
                pendingOffset = 0;
            }
            var events = (short)((Volatile.Read(ref _credit) > 0 && !killed ? Libc.POLLIN : 0) | (pendingInput is not null && !killed ? Libc.POLLOUT : 0));
            fds[0] = new Libc.PollFd { Fd = events == 0 ? -1 : _device.Master, Events = events };
            fds[1] = new Libc.PollFd { Fd = _wake.Handle, Events = Libc.POLLIN };
            Fd.Poll(fds, -1);
            if ((fds[1].Revents & Libc.POLLIN) != 0)
                _wake.Consume();
            if ((fds[0].Revents & Libc.POLLOUT) != 0 && pendingInput is not null)
            {
                var written = Fd.TryWrite(_device.Master, pendingInput.AsSpan(pendingOffset));
                if (written > 0)
                {
                    pendingOffset += written;
                    if (pendingOffset == pendingInput.Length)
                    {
                        Interlocked.Add(ref _queuedInput, -pendingInput.Length);
                        pendingInput = null;
                    }
                }
            }
            if ((fds[0].Revents & (Libc.POLLIN | Libc.POLLHUP | Libc.POLLERR)) != 0 && events != 0 && (events & Libc.POLLIN) != 0)
                ForwardOnce(buffer);
        }
        if (!killed)
            Drain(buffer);
        return _exit.Result.ExitCode;
    }

    /// <summary>Forwards what the master holds after the shell's exit, waiting a while for credit when it runs out.</summary>
    private void Drain(byte[] buffer)
    {
        var deadline = Environment.TickCount64 + (long)DrainPatience.TotalMilliseconds;
        while (!_closing && Environment.TickCount64 < deadline)
        {
            if (Volatile.Read(ref _credit) <= 0)
            {
                Fd.PollOne(_wake.Handle, Libc.POLLIN, 100);
                _wake.Consume();
                continue;
            }
            if (ForwardOnce(buffer) <= 0)
                return;
        }
    }

    /// <summary>One read of the master within the credit, sent as one frame; the byte count, 0 or less when none.</summary>
    private int ForwardOnce(byte[] buffer)
    {
        var room = (int)Math.Min(Volatile.Read(ref _credit), buffer.Length);
        if (room <= 0)
            return 0;
        int n;
        try
        {
            n = Fd.TryRead(_device.Master, buffer.AsSpan(0, room));
        }
        catch (IOException e) when (e.HResult == Libc.EIO)
        {
            return 0; // every slave fd is closed: nothing more will come
        }
        if (n <= 0)
            return n;
        Interlocked.Add(ref _credit, -n);
        _channel.Send(new AgentMessage { Kind = MessageKind.PtyOutput, Id = _id }, buffer.AsMemory(0, n));
        return n;
    }
}
