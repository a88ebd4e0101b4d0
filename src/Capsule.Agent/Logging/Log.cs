using Microsoft.Extensions.Logging;

namespace Capsule.Agent.Logging;

/// <summary>Every line the agent logs (to the guest console).</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Started in {StartupMs:0.0} ms; serving on {Endpoint}")]
    public static partial void AgentStarted(this ILogger logger, double startupMs, string endpoint);

    [LoggerMessage(2, LogLevel.Warning, "Virtio port {PortName} not found yet; waiting for it")]
    public static partial void PortNotFound(this ILogger logger, string portName);

    [LoggerMessage(3, LogLevel.Debug, "Host connected")]
    public static partial void HostConnected(this ILogger logger);

    [LoggerMessage(4, LogLevel.Debug, "Host disconnected; stopping {InFlight} in-flight execs")]
    public static partial void HostDisconnected(this ILogger logger, int inFlight);

    [LoggerMessage(5, LogLevel.Debug, "Python kernel started (pid {Pid})")]
    public static partial void KernelStarted(this ILogger logger, int pid);

    [LoggerMessage(6, LogLevel.Warning, "Python kernel restarted (pid {Pid}): {Reason}")]
    public static partial void KernelRestarted(this ILogger logger, int pid, string reason);

    [LoggerMessage(7, LogLevel.Error, "Cannot start the python kernel {PythonPath}")]
    public static partial void KernelStartFailed(this ILogger logger, Exception exception, string pythonPath);

    [LoggerMessage(8, LogLevel.Warning, "No python3 on {Path}; python execs will fail")]
    public static partial void PythonMissing(this ILogger logger, string path);

    [LoggerMessage(9, LogLevel.Error, "Bug in {Worker}; the agent carries on")]
    public static partial void WorkerFailed(this ILogger logger, Exception exception, string worker);

    [LoggerMessage(10, LogLevel.Error, "Accepting a host connection failed; retrying")]
    public static partial void AcceptFailed(this ILogger logger, Exception exception);

    [LoggerMessage(11, LogLevel.Error, "Serving a host connection failed; waiting for the next one")]
    public static partial void ConnectionFailed(this ILogger logger, Exception exception);

    [LoggerMessage(12, LogLevel.Debug, "Received {Kind} {Id}")]
    public static partial void FrameReceived(this ILogger logger, string kind, long id);

    [LoggerMessage(13, LogLevel.Debug, "Exec {Id} ended: exit {ExitCode} after {WallMs:0.0} ms")]
    public static partial void ExecEnded(this ILogger logger, long id, int exitCode, double wallMs);

    [LoggerMessage(14, LogLevel.Debug, "A send to the host failed; dropping further frames of this connection")]
    public static partial void SendFailed(this ILogger logger, Exception exception);

    [LoggerMessage(15, LogLevel.Information, "Cgroups ready: user work runs in {Group} with pids.max {PidsMax}")]
    public static partial void CgroupsReady(this ILogger logger, string group, int pidsMax);

    [LoggerMessage(16, LogLevel.Warning, "No cgroups for user work; execs run without a process limit or OOM reporting")]
    public static partial void CgroupsUnavailable(this ILogger logger, Exception exception);

    [LoggerMessage(17, LogLevel.Warning, "Background processes of a finished exec reached the process limit; killing {Group}")]
    public static partial void LingeringGroupKilled(this ILogger logger, string group);

    [LoggerMessage(18, LogLevel.Warning, "Cgroup operation on {Group} failed")]
    public static partial void CgroupFailed(this ILogger logger, Exception exception, string group);

    [LoggerMessage(19, LogLevel.Warning, "Could not lock the agent's memory (errno {Errno}); under memory pressure the guest may page the agent out, and it may answer late")]
    public static partial void MemoryLockFailed(this ILogger logger, int errno);

    [LoggerMessage(20, LogLevel.Warning, "Cannot watch memory hotplug events (errno {Errno}); the session's memory limit then follows the guest's growth only at the start of each exec")]
    public static partial void MemoryWatchFailed(this ILogger logger, int errno);

    [LoggerMessage(21, LogLevel.Warning, "Could not resize the tmpfs on {MountPoint} to the guest's memory (errno {Errno})")]
    public static partial void TmpfsResizeFailed(this ILogger logger, string mountPoint, int errno);

    [LoggerMessage(22, LogLevel.Debug, "Bash shell started (pid {Pid})")]
    public static partial void BashShellStarted(this ILogger logger, int pid);

    [LoggerMessage(23, LogLevel.Information, "Bash shell {Pid} ended (status {ExitCode}); the next bash exec starts another")]
    public static partial void BashShellExited(this ILogger logger, int pid, int exitCode);

    [LoggerMessage(24, LogLevel.Error, "Cannot start the bash shell; the next bash exec tries again")]
    public static partial void BashShellFailed(this ILogger logger, Exception exception);

    [LoggerMessage(25, LogLevel.Debug, "PTY {Id}: {Shell} started as {Pid} on {Terminal}")]
    public static partial void PtyStarted(this ILogger logger, long id, string shell, int pid, string terminal);

    [LoggerMessage(26, LogLevel.Debug, "PTY {Id} ended (status {ExitCode})")]
    public static partial void PtyEnded(this ILogger logger, long id, int exitCode);

    [LoggerMessage(27, LogLevel.Warning, "PTY {Id}: input dropped, {MaxBytes} bytes already wait for the shell")]
    public static partial void PtyInputDropped(this ILogger logger, long id, int maxBytes);
}
