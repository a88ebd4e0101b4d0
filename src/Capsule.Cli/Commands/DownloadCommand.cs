using System.CommandLine;
using Capsule.Cli.Output;

namespace Capsule.Cli.Commands;

/// <summary><c>capsule download SESSION REMOTE [LOCAL]</c>: streams a guest file to LOCAL (default: its name here; <c>-</c>: stdout).</summary>
internal static class DownloadCommand
{
    public static Command Build()
    {
        var session = CommonOptions.SessionArgument();
        var remote = new Argument<string>("remote") { Description = "Absolute guest path" };
        var local = new Argument<string?>("local") { Description = "Where to save it (default: its file name here; '-' for stdout)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("download", "Download a file from a session") { session, remote, local };
        CliContext.SetAction(command, async (context, cancellationToken) =>
        {
            var target = context.Client.GetSession(context.Get(session)!);
            var remotePath = context.Get(remote)!;
            var localPath = context.Get(local) ?? Path.GetFileName(remotePath.TrimEnd('/'));
            if (string.IsNullOrEmpty(localPath))
                throw new CliException($"Cannot name a local file after {remotePath}; give LOCAL");

            if (localPath == "-")
            {
                await using var stdout = Console.OpenStandardOutput();
                await target.DownloadAsync(remotePath, stdout, cancellationToken);
                return ExitCodes.Ok;
            }
            var size = await target.DownloadFileAsync(remotePath, localPath, cancellationToken);
            if (context.Printer.Json)
                context.Printer.WriteJson(new DownloadedFile(remotePath, Path.GetFullPath(localPath), size));
            else
                Printer.Line($"Downloaded {size} bytes to {localPath}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
