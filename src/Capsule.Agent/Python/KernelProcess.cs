using System.Buffers.Binary;
using System.Text.Json;
using Capsule.Agent.Native;

namespace Capsule.Agent.Python;

/// <summary>
/// One running interpreter and the agent's ends of its pipes: requests (its fd 3), replies (its
/// fd 4), stdout and stderr. The read ends are non-blocking; the caller polls them.
/// </summary>
internal sealed class KernelProcess : IDisposable
{
    private KernelProcess(int pid, Task<ChildExit> exit, int requests, int replies, int stdout, int stderr)
    {
        Pid = pid;
        Exit = exit;
        RequestsFd = requests;
        RepliesFd = replies;
        StdoutFd = stdout;
        StderrFd = stderr;
    }

    public int Pid { get; }
    public Task<ChildExit> Exit { get; }
    public int RequestsFd { get; }
    public int RepliesFd { get; }
    public int StdoutFd { get; }
    public int StderrFd { get; }

    public static KernelProcess Start(ChildReaper reaper, KernelLaunch launch, IReadOnlyList<string> env, int devNull, Action onExit)
    {
        var (requestsRead, requestsWrite) = Fd.Pipe();
        var (repliesRead, repliesWrite) = Fd.Pipe();
        var (stdoutRead, stdoutWrite) = Fd.Pipe();
        var (stderrRead, stderrWrite) = Fd.Pipe();
        try
        {
            var (pid, exit) = reaper.Spawn(new SpawnSpec
            {
                Path = launch.PythonPath,
                Argv = launch.Argv,
                Env = env,
                Fds = new Dictionary<int, int>
                {
                    [0] = devNull,
                    [1] = stdoutWrite,
                    [2] = stderrWrite,
                    [3] = requestsRead,
                    [4] = repliesWrite,
                },
                WorkingDirectory = Directory.Exists(launch.WorkDir) ? launch.WorkDir : "/",
            }, onExit);
            Fd.SetNonBlocking(repliesRead);
            Fd.SetNonBlocking(stdoutRead);
            Fd.SetNonBlocking(stderrRead);
            return new KernelProcess(pid, exit, requestsWrite, repliesRead, stdoutRead, stderrRead);
        }
        catch
        {
            Fd.Close(requestsWrite);
            Fd.Close(repliesRead);
            Fd.Close(stdoutRead);
            Fd.Close(stderrRead);
            throw;
        }
        finally
        {
            Fd.Close(requestsRead);
            Fd.Close(repliesWrite);
            Fd.Close(stdoutWrite);
            Fd.Close(stderrWrite);
        }
    }

    /// <summary>Writes one request; throws <see cref="IOException"/> if the interpreter is gone.</summary>
    public void Send(KernelRequest request)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(request, KernelJsonContext.Default.KernelRequest);
        var record = new byte[4 + json.Length];
        BinaryPrimitives.WriteInt32BigEndian(record, json.Length);
        json.CopyTo(record, 4);
        Fd.WriteAll(RequestsFd, record);
    }

    /// <summary>A timeout or cancel: KeyboardInterrupt in the interpreter, SIGKILL for everything it started.</summary>
    public void Interrupt()
    {
        _ = Libc.kill(Pid, Libc.SIGINT);
        ProcessTree.Kill(Pid, includeRoot: false, sessionId: null);
    }

    /// <summary>Kills the interpreter and its whole session.</summary>
    public void Kill() => ProcessTree.Kill(Pid, includeRoot: true, sessionId: Pid);

    public void Dispose()
    {
        Fd.Close(RequestsFd);
        Fd.Close(RepliesFd);
        Fd.Close(StdoutFd);
        Fd.Close(StderrFd);
    }
}
