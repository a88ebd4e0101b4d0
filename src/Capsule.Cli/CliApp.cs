using System.CommandLine;
using Capsule.Cli.Commands;

namespace Capsule.Cli;

/// <summary>The <c>capsule</c> command tree. Each subcommand lives in its own file under Commands/.</summary>
internal static class CliApp
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Capsule: fresh microVMs that run Python and bash.")
        {
            GlobalOptions.Url,
            GlobalOptions.ApiKey,
            GlobalOptions.Json,
        };
        root.Subcommands.Add(CreateCommand.Build());
        root.Subcommands.Add(ListCommand.Build());
        root.Subcommands.Add(ExecCommand.Build());
        root.Subcommands.Add(RunCommand.Build());
        root.Subcommands.Add(UploadCommand.Build());
        root.Subcommands.Add(DownloadCommand.Build());
        root.Subcommands.Add(StatusCommand.Build());
        root.Subcommands.Add(UrlCommand.Build());
        root.Subcommands.Add(ShareCommand.Build());
        root.Subcommands.Add(EgressCommand.Build());
        root.Subcommands.Add(ExtendCommand.Build());
        root.Subcommands.Add(KillCommand.Build());
        root.Subcommands.Add(ShellCommand.Build());
        root.Subcommands.Add(KeysCommand.Build());
        root.Subcommands.Add(HealthCommand.Build());
        root.Subcommands.Add(McpCommand.Build());
        return root;
    }
}
