using System.CommandLine;

namespace Capsule.Cli.Commands;

/// <summary><c>capsule upload SESSION LOCAL REMOTE</c>: streams a local file (or stdin for <c>-</c>) to a guest path.</summary>
internal static class UploadCommand
{
    public static Command Build()
    {
        var session = CommonOptions.SessionArgument();
        var local = new Argument<string>("local") { Description = "Local file ('-' for stdin)" };
        var remote = new Argument<string>("remote") { Description = "Absolute guest path, e.g. /app/data.csv" };
        var command = new Command("upload", "Upload a file into a session") { session, local, remote };
        CliContext.SetAction(command, async (context, cancellationToken) =>
        {
            var target = context.Client.GetSession(context.Get(session)!);
            var localPath = context.Get(local)!;
            var remotePath = context.Get(remote)!;
            if (localPath != "-" && !File.Exists(localPath))
                throw new CliException($"No such file: {localPath}");

            var result = localPath == "-"
                ? await target.UploadAsync(Console.OpenStandardInput(), remotePath, cancellationToken)
                : await target.UploadFileAsync(localPath, remotePath, cancellationToken);
            if (context.Printer.Json)
                context.Printer.WriteJson(result);
            else
                Output.Printer.Line($"Uploaded {result.Size} bytes to {result.RemotePath}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
