using System.Text;
using Capsule.Agent.Native;
using Microsoft.Extensions.Logging;

namespace Capsule.Agent.Logging;

/// <summary>
/// The agent's only log sink: one line per event on stderr (the guest's serial console). A full
/// logging stack would cost binary size and start-up time on the restore path for nothing.
/// Lines go to fd 2 with write(2), not through System.Console: on a terminal (the guest console)
/// Console installs a SIGCHLD handler of its own, and a second reaper steals the agent's children.
/// </summary>
internal sealed class StderrLogger(LogLevel minimum) : ILogger
{
    private const int StderrFd = 2;
    private static readonly object Gate = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
            return;
        var line = $"capsule-agent: {Level(logLevel)} {formatter(state, exception)}{(exception is null ? "" : "\n" + exception)}\n";
        var bytes = Encoding.UTF8.GetBytes(line);
        lock (Gate)
        {
            try
            {
                Fd.WriteAll(StderrFd, bytes);
            }
            catch (IOException)
            {
                // A log line that cannot be written is dropped; the console is not worth dying for.
            }
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        _ => "fatal",
    };
}
