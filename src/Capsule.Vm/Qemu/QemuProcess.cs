using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Capsule.Vm.Qemu;

/// <summary>
/// One QEMU process, started through <c>setpriv --pdeathsig KILL</c> from <see cref="ProcessSpawner"/>'s thread so it
/// dies with the server. Its stdout and stderr go to a log file. <see cref="StopAsync"/> is idempotent and ignores
/// cancellation: quit (QMP) -> 2 s -> SIGTERM -> 2 s -> SIGKILL -> wait.
/// </summary>
internal sealed partial class QemuProcess
{
    public static readonly TimeSpan QuitGrace = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan TermGrace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly FileStream _log;
    private readonly SemaphoreSlim _logGate = new(1, 1);
    private readonly Task _pumps;
    private readonly ILogger _logger;
    private readonly Lock _stopGate = new();
    private readonly TimeProvider _time;
    private Task? _stop;

    private QemuProcess(Process process, FileStream log, ILogger logger, TimeProvider time)
    {
        _process = process;
        _time = time;
        _log = log;
        _logger = logger;
        Pid = process.Id;
        process.StandardInput.Close();
        _pumps = Task.WhenAll(
            Task.Run(() => PumpAsync(process.StandardOutput.BaseStream)),
            Task.Run(() => PumpAsync(process.StandardError.BaseStream)));
        Exited = WaitForExitCodeAsync();
    }

    public int Pid { get; }

    /// <summary>Completes with the exit code (128 + signal when killed) once the process has exited.</summary>
    public Task<int> Exited { get; }

    /// <summary>Starts <paramref name="binary"/> with <paramref name="arguments"/>; output is appended to <paramref name="logPath"/>.</summary>
    /// <param name="time">Times the grace periods of <see cref="StopAsync"/> and <see cref="WaitForLogAsync"/>.</param>
    public static async Task<QemuProcess> StartAsync(string binary, IReadOnlyList<string> arguments, string logPath, ILogger logger, TimeProvider time)
    {
        var startInfo = new ProcessStartInfo("setpriv")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["--pdeathsig", "KILL", "--", binary, .. arguments])
            startInfo.ArgumentList.Add(argument);
        var log = new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            var process = await ProcessSpawner.StartAsync(startInfo).ConfigureAwait(false);
            var qemu = new QemuProcess(process, log, logger, time);
            LogStarted(logger, qemu.Pid, binary);
            return qemu;
        }
        catch
        {
            await log.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Stops the process: <paramref name="quit"/> (e.g. QMP quit), then SIGTERM, then SIGKILL, each with a grace period.
    /// Idempotent: later calls return the first call's task. Never cancelled: a half-stopped QEMU is worse than a slow stop.
    /// </summary>
    public Task StopAsync(Func<CancellationToken, Task>? quit)
    {
        lock (_stopGate)
            return _stop ??= StopCoreAsync(quit);
    }

    private async Task StopCoreAsync(Func<CancellationToken, Task>? quit)
    {
        if (quit is not null && !Exited.IsCompleted)
        {
            using var quitDeadline = new CancellationTokenSource(QuitGrace, _time);
            try
            {
                await quit(quitDeadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // quit did not answer in time; the signals below take over.
            }
            await WaitForExitAsync(QuitGrace).ConfigureAwait(false);
        }
        if (!Exited.IsCompleted && PosixSignals.Send(Pid, PosixSignals.SigTerm))
            await WaitForExitAsync(TermGrace).ConfigureAwait(false);
        if (!Exited.IsCompleted)
        {
            LogKilling(_logger, Pid);
            PosixSignals.Send(Pid, PosixSignals.SigKill);
            if (!await WaitForExitAsync(KillGrace).ConfigureAwait(false))
                LogKillIgnored(_logger, Pid);
        }
        // Output pumps end when the pipes close; a grandchild holding them open must not hang the stop.
        await Task.WhenAny(_pumps, Task.Delay(TimeSpan.FromSeconds(2), _time)).ConfigureAwait(false);
        await _log.DisposeAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    /// <summary>Waits, at most <paramref name="timeout"/>, until everything the process wrote is in the log file.</summary>
    public Task WaitForLogAsync(TimeSpan timeout) => Task.WhenAny(_pumps, Task.Delay(timeout, _time));

    private async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        await Task.WhenAny(Exited, Task.Delay(timeout, _time)).ConfigureAwait(false);
        return Exited.IsCompleted;
    }

    private async Task<int> WaitForExitCodeAsync()
    {
        await _process.WaitForExitAsync().ConfigureAwait(false);
        return _process.ExitCode;
    }

    private async Task PumpAsync(Stream source)
    {
        var buffer = new byte[4096];
        try
        {
            int count;
            while ((count = await source.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                await _logGate.WaitAsync().ConfigureAwait(false);
                try
                {
                    await _log.WriteAsync(buffer.AsMemory(0, count)).ConfigureAwait(false);
                    await _log.FlushAsync().ConfigureAwait(false);
                }
                finally
                {
                    _logGate.Release();
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The log was closed by StopAsync or the disk failed: QEMU's chatter is not worth more.
        }
    }
}
