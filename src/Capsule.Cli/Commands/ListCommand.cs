using System.CommandLine;
using Capsule.Cli.Output;

namespace Capsule.Cli.Commands;

/// <summary><c>capsule ls [--meta K=V]... [--limit N]</c>: the caller's sessions.</summary>
internal static class ListCommand
{
    public static Command Build()
    {
        var meta = CommonOptions.Pairs("--meta", "Only sessions whose metadata contains this pair");
        var limit = CommonOptions.PositiveInt("--limit", "At most this many (1-1000, default 100)");
        var command = new Command("ls", "List sessions") { meta, limit };
        command.Aliases.Add("list");
        CliContext.SetAction(command, async (context, cancellationToken) =>
        {
            var sandboxes = await context.Client.ListAsync(
                CommonOptions.ToDictionary(context.Get(meta)), context.Get(limit) ?? 100, cancellationToken);
            if (context.Printer.Json)
            {
                context.Printer.WriteJson(sandboxes);
                return ExitCodes.Ok;
            }
            context.Printer.Table(
                ["SESSION", "STATUS", "TEMPLATE", "STARTED", "ENDS", "METADATA"],
                sandboxes.Select(s => new[]
                {
                    s.SandboxId, s.Status, s.TemplateId, Printer.Time(s.StartedAt), Printer.Time(s.EndAt), Printer.Pairs(s.Metadata),
                }));
            return ExitCodes.Ok;
        });
        return command;
    }
}
