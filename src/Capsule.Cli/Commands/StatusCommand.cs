using System.CommandLine;
using Capsule.Cli.Output;
using Capsule.Client;

namespace Capsule.Cli.Commands;

/// <summary><c>capsule status SESSION</c>: is its VM alive, and for how long.</summary>
internal static class StatusCommand
{
    public static Command Build()
    {
        var session = CommonOptions.SessionArgument();
        var command = new Command("status", "Show whether a session's VM is alive") { session };
        CliContext.SetAction(command, async (context, cancellationToken) =>
        {
            var status = await context.Client.GetSession(context.Get(session)!).GetStatusAsync(cancellationToken);
            Print(context, status);
            return ExitCodes.Ok;
        });
        return command;
    }

    public static void Print(CliContext context, SessionStatus status)
    {
        if (context.Printer.Json)
        {
            context.Printer.WriteJson(status);
            return;
        }
        Printer.Fields(
            ("session", status.SessionId),
            ("vm status", status.VmStatus ?? "no VM yet"),
            ("vm id", status.VmId),
            ("alive", status.VmAlive ? "yes" : "no"),
            ("uptime", Printer.Seconds(status.Uptime)),
            ("expires in", Printer.Seconds(status.ExpiresIn)),
            ("created", Printer.Time(status.CreatedAt)));
    }
}
