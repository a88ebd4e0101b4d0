using System.CommandLine;
using Capsule.Cli.Output;
using Capsule.Client;

namespace Capsule.Cli.Commands;

/// <summary><c>capsule create [--vcpu N] [--memory MB] [--lifetime S] [--env K=V]... [--meta K=V]...</c>: prints the session id.</summary>
internal static class CreateCommand
{
    public static Command Build()
    {
        var shape = new SessionShape();
        var meta = CommonOptions.Pairs("--meta", "Metadata to find the session by");
        var command = new Command("create", "Create a session (its VM boots on first use, or now when --env is given)");
        shape.AddTo(command);
        command.Options.Add(meta);
        CliContext.SetAction(command, async (context, cancellationToken) =>
        {
            var options = shape.ToOptions(context) with { Metadata = CommonOptions.ToDictionary(context.Get(meta)) };
            Session session;
            await using (context.Printer.StartSpinner(options.Env is null ? "Creating session" : "Creating session and booting its VM"))
                session = await context.Client.CreateSessionAsync(options, cancellationToken);
            if (context.Printer.Json)
                context.Printer.WriteJson(new CreatedSession(session.Id));
            else
                Printer.Line(session.Id);
            return ExitCodes.Ok;
        });
        return command;
    }
}
