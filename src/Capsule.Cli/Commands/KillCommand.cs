using System.CommandLine;
using Capsule.Cli.Output;

namespace Capsule.Cli.Commands;

/// <summary><c>capsule kill SESSION</c>: destroys the session's VM.</summary>
internal static class KillCommand
{
    public static Command Build()
    {
        var session = CommonOptions.SessionArgument();
        var command = new Command("kill", "Destroy a session's VM") { session };
        CliContext.SetAction(command, async (context, cancellationToken) =>
        {
            var result = await context.Client.GetSession(context.Get(session)!).KillAsync(cancellationToken);
            if (context.Printer.Json)
                context.Printer.WriteJson(result);
            else
                Printer.Line($"Killed {result.VmId} (session {result.SessionId})");
            return ExitCodes.Ok;
        });
        return command;
    }
}
