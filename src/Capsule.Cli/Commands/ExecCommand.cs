using System.CommandLine;

namespace Capsule.Cli.Commands;

/// <summary>
/// <c>capsule exec SESSION [--bash|--python] [--timeout S] (CODE | -f FILE)</c>: output streams live to stdout and
/// stderr; exits with the guest's exit code (124 after a timeout).
/// </summary>
internal static class ExecCommand
{
    public static Command Build()
    {
        var session = CommonOptions.SessionArgument();
        var input = new CodeInput();
        var command = new Command("exec", "Run code in a session, streaming its output; exits with its exit code") { session };
        input.AddTo(command);
        CliContext.SetAction(command, async (context, cancellationToken) =>
        {
            var code = await input.ReadCodeAsync(context, cancellationToken);
            var target = context.Client.GetSession(context.Get(session)!);
            return await CodeRunner.RunAsync(context, target, code, input.Language(context), input.TimeoutValue(context), cancellationToken);
        });
        return command;
    }
}
