using System.Text;
using Capsule.Agent.Logging;
using Capsule.Agent.Native;
using Microsoft.Extensions.Logging;

namespace Capsule.Agent.Exec;

/// <summary>
/// The session's warm bash (<see cref="BashScript.Shell"/>): one long-lived process that forks a shell per call,
/// so a call does not pay bash's exec and start-up. It runs no user code, so nothing a call does (<c>exit</c>,
/// <c>exec</c>, <c>set -e</c>, <c>cd</c>) changes it; it holds no state either (that is <see cref="BashState"/>'s
/// file), so when it dies (SIGKILL to <c>$$</c>, a failed fork) the next <see cref="Send"/> starts another, and calls
/// already forked run on. It sits in the agent's own cgroup, outside the user tree's limits, like the agent.
/// </summary>
internal sealed class BashShell(ChildReaper reaper, int devNull, string callDirectory, string workDir, string statePath, ILogger logger)
{
    public const string BashPath = "/bin/bash";

    private readonly object _gate = new();
    private Instance? _current;

    /// <summary>One started shell: its pid, its exit, and the agent's end of its request pipe.</summary>
    public sealed class Instance(int pid, Task<ChildExit> exit, int requestFd)
    {
        public int Pid => pid;
        public Task<ChildExit> Exit => exit;
        public int RequestFd => requestFd;
        public bool HasExited => exit.IsCompleted;
    }

    /// <summary>Starts the shell ahead of the first call (a failure is logged; the first call tries again).</summary>
    public void Warm()
    {
        try
        {
            lock (_gate)
                _ = Live();
        }
        catch (IOException e)
        {
            logger.BashShellFailed(e);
        }
    }

    /// <summary>
    /// Asks the shell to run attempt <paramref name="attempt"/> of call <paramref name="call"/> (files under the call
    /// directory, see <see cref="BashCall"/>) in <paramref name="cgroup"/>, starting a shell first if there is none
    /// or it died. Returns the shell that took the request. Throws <see cref="IOException"/> when no shell can be
    /// started.
    /// </summary>
    public Instance Send(long call, int attempt, string? cgroup)
    {
        var line = Encoding.UTF8.GetBytes($"{call} {attempt} {cgroup ?? "-"}\n");
        lock (_gate)
        {
            var shell = Live();
            try
            {
                Fd.WriteAll(shell.RequestFd, line);
                return shell;
            }
            catch (IOException)
            {
                // EPIPE: it died since the check; the line went nowhere, so a new shell may take it.
                Retire(shell);
                shell = Live();
                Fd.WriteAll(shell.RequestFd, line);
                return shell;
            }
        }
    }

    /// <summary>The running shell, started if needed; call under the gate.</summary>
    private Instance Live()
    {
        if (_current is { HasExited: false } current)
            return current;
        if (_current is not null)
            Retire(_current);
        var (requestRead, requestWrite) = Fd.Pipe();
        try
        {
            var (pid, exit) = reaper.Spawn(new SpawnSpec
            {
                Path = BashPath,
                Argv = ["bash", "--noprofile", "--norc", "-c", BashScript.Shell, "bash", callDirectory, workDir, statePath],
                Env = [],
                // stdout and stderr: job notices ("[1]+ Done ...") of the warm shell and the monitors go nowhere.
                Fds = new Dictionary<int, int> { [0] = devNull, [1] = devNull, [2] = devNull, [BashScript.RequestFd] = requestRead },
                WorkingDirectory = "/",
            });
            _current = new Instance(pid, exit, requestWrite);
            logger.BashShellStarted(pid);
            return _current;
        }
        catch
        {
            Fd.Close(requestWrite);
            throw;
        }
        finally
        {
            Fd.Close(requestRead);
        }
    }

    private void Retire(Instance shell)
    {
        if (!ReferenceEquals(_current, shell))
            return;
        _current = null;
        // Closing the request pipe ends a shell that is still there (it exits at end of file).
        Fd.Close(shell.RequestFd);
        if (shell.Exit.IsCompleted)
            logger.BashShellExited(shell.Pid, shell.Exit.Result.ExitCode);
    }
}
