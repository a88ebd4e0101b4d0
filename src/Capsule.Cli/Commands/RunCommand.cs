using System.CommandLine;
using Capsule.Client;

namespace Capsule.Cli.Commands;

/// <summary>
/// <c>capsule run [--bash|--python] [shape options] (CODE | -f FILE)</c>: a throwaway session: create, run with live
/// output, kill (also on Ctrl+C or failure). Exits with the guest's exit code.
/// </summary>
internal static class RunCommand
{
    private static readonly TimeSpan KillBound = TimeSpan.FromSeconds(10);

    public static Command Build()
    {
        var shape = new SessionShape();
        var input = new CodeInput();
        var command = new Command("run", "Run code in a fresh session that is killed afterwards; exits with its exit code");
        input.AddTo(command);
        shape.AddTo(command);
        CliContext.SetAction(command, async (context, cancellationToken) =>
        {
            var code = await input.ReadCodeAsync(context, cancellationToken);
            Session session;
            await using (context.Printer.StartSpinner("Creating session"))
                session = await context.Client.CreateSessionAsync(shape.ToOptions(context), cancellationToken);
            try
            {
                return await CodeRunner.RunAsync(context, session, code, input.Language(context), input.TimeoutValue(context), cancellationToken);
            }
            finally
            {
                await KillQuietlyAsync(session);
            }
        });
        return command;
    }

    /// <summary>Best effort and bounded: the run's outcome, not the cleanup's, decides the exit code.</summary>
    private static async Task KillQuietlyAsync(Session session)
    {
        using var bound = new CancellationTokenSource(KillBound);
        try
        {
            await session.KillAsync(bound.Token);
        }
        catch (CapsuleApiException)
        {
            // No VM (the run failed before one booted) or the server went away: nothing left to clean here.
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested)
        {
            // The server did not answer in time; its VM expires with the session lifetime.
        }
    }
}
