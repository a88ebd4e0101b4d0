using System.CommandLine;
using Capsule.Cli.Output;

namespace Capsule.Cli.Commands;

/// <summary><c>capsule url SESSION PORT</c>: the URL at which a guest port is served.</summary>
internal static class UrlCommand
{
    public static Command Build()
    {
        var session = CommonOptions.SessionArgument();
        var port = new Argument<int>("port") { Description = "Guest TCP port (1-65535)" };
        var command = new Command("url", "Show the URL at which a guest port of a session is served (send the API key in X-API-Key)") { session, port };
        CliContext.SetAction(command, async (context, cancellationToken) =>
        {
            var number = context.Get(port);
            if (number is < 1 or > 65535)
                throw new CliException($"port must be 1 to 65535, not {number}");
            var app = await context.Client.GetSession(context.Get(session)!).GetAppUrlAsync(number, cancellationToken);
            if (context.Printer.Json)
                context.Printer.WriteJson(app);
            else
                Printer.Line(app.Url.ToString());
            return ExitCodes.Ok;
        });
        return command;
    }
}
