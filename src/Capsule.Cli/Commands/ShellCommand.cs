using System.CommandLine;
using System.Runtime.InteropServices;
using Capsule.Cli.Terminal;
using Capsule.Client;
using Microsoft.Win32.SafeHandles;

namespace Capsule.Cli.Commands;

/// <summary>
/// <c>capsule shell SESSION [--shell PATH]</c>: a shell in the session's VM in this terminal. The local terminal goes
/// raw (Ctrl-C, Ctrl-Z and the rest reach the guest), the guest's window follows the local one (SIGWINCH), and the
/// command exits with the shell's exit status.
/// </summary>
internal static class ShellCommand
{
    private const int DefaultCols = 80;
    private const int DefaultRows = 24;

    public static Command Build()
    {
        var session = CommonOptions.SessionArgument();
        var shell = new Option<string?>("--shell") { Description = "The guest shell's absolute path (default /bin/bash)" };
        var command = new Command("shell", "Open an interactive shell in a session's VM") { session, shell };
        CliContext.SetAction(command, async (context, cancellationToken) =>
        {
            var target = context.Client.GetSession(context.Get(session)!);
            var (cols, rows) = LocalSize();
            var pty = await target.CreatePtyAsync(new PtyOptions { Cols = cols, Rows = rows, Shell = context.Get(shell) }, cancellationToken);
            await using var connection = await target.AttachPtyAsync(pty.PtyId, cancellationToken);
            int? exitCode;
            using (RawMode.Enter())
            {
                exitCode = await RunAsync(connection, cancellationToken);
            }
            if (exitCode is { } code)
                return code;
            throw new CliException(
                connection.CloseStatus is { } status && (int)status == PtyConnection.SupersededCloseStatus
                    ? "the shell was attached from elsewhere"
                    : "the connection to the shell ended before it exited",
                ExitCodes.ApiError);
        });
        return command;
    }

    /// <summary>Pumps bytes both ways until the guest side ends; returns the shell's exit code (null if it never came).</summary>
    private static async Task<int?> RunAsync(PtyConnection connection, CancellationToken cancellationToken)
    {
        using var resize = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => FollowLocalSize(connection));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var input = Task.Run(() => PumpInputAsync(connection, stop.Token), CancellationToken.None);
        await using var stdout = Console.OpenStandardOutput();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var n = await connection.ReadAsync(buffer, cancellationToken);
            if (n == 0)
                break;
            await stdout.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
            await stdout.FlushAsync(cancellationToken);
        }
        await stop.CancelAsync();
        _ = input; // a read of stdin cannot be cancelled; the process ends with it pending
        return connection.ExitCode;
    }

    private static void FollowLocalSize(PtyConnection connection)
    {
        var (cols, rows) = LocalSize();
        _ = connection.ResizeAsync(cols, rows, CancellationToken.None).ContinueWith(
            static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    private static async Task PumpInputAsync(PtyConnection connection, CancellationToken cancellationToken)
    {
        // fd 0 itself, not Console.OpenStandardInput(): on a terminal that stream reads through .NET's line editor, which
        // puts the terminal back into its own mode (local echo, Ctrl-C as SIGINT) over the raw one.
        await using var stdin = new FileStream(new SafeFileHandle(0, ownsHandle: false), FileAccess.Read, bufferSize: 0);
        var buffer = new byte[4096];
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var n = await stdin.ReadAsync(buffer, cancellationToken);
                if (n == 0)
                    return; // stdin closed (not a terminal): the shell reads on until it exits
                await connection.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.Net.WebSockets.WebSocketException or ObjectDisposedException)
        {
            // The shell ended or the socket dropped: the output side reports it.
        }
    }

    private static (int Cols, int Rows) LocalSize()
    {
        try
        {
            var cols = Console.WindowWidth;
            var rows = Console.WindowHeight;
            return cols > 0 && rows > 0 ? (Math.Min(cols, 1000), Math.Min(rows, 1000)) : (DefaultCols, DefaultRows);
        }
        catch (IOException)
        {
            return (DefaultCols, DefaultRows); // not a terminal
        }
    }
}
