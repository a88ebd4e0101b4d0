using System.CommandLine;

namespace Capsule.Cli.Commands;

/// <summary><c>capsule extend SESSION SECONDS</c>: the VM now expires SECONDS from now (24 h cap since spawn).</summary>
internal static class ExtendCommand
{
    public static Command Build()
    {
        var session = CommonOptions.SessionArgument();
        var seconds = new Argument<int>("seconds") { Description = "New time left, in seconds from now" };
        seconds.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() <= 0)
                result.AddError("seconds must be positive");
        });
        var command = new Command("extend", "Set how long a session's VM lives from now") { session, seconds };
        CliContext.SetAction(command, async (context, cancellationToken) =>
        {
            var status = await context.Client.GetSession(context.Get(session)!)
                .ExtendAsync(TimeSpan.FromSeconds(context.Get(seconds)), cancellationToken);
            StatusCommand.Print(context, status);
            return ExitCodes.Ok;
        });
        return command;
    }
}
