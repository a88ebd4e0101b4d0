using System.CommandLine;
using Capsule.Cli.Output;

namespace Capsule.Cli.Commands;

/// <summary><c>capsule keys create|ls|revoke</c>: API key management.</summary>
internal static class KeysCommand
{
    public static Command Build()
    {
        var command = new Command("keys", "Manage API keys");
        command.Subcommands.Add(Create());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Revoke());
        return command;
    }

    private static Command Create()
    {
        var description = new Option<string?>("--description", "-d") { Description = "What the key is for" };
        var admin = new Option<bool>("--admin") { Description = "An admin key (needs an admin key)" };
        var command = new Command("create", "Create a key; its secret is shown once") { description, admin };
        CliContext.SetAction(command, async (context, cancellationToken) =>
        {
            var key = await context.Client.ApiKeys.CreateAsync(context.Get(description), context.Get(admin), cancellationToken);
            if (context.Printer.Json)
            {
                context.Printer.WriteJson(key);
                return ExitCodes.Ok;
            }
            Printer.Line(key.ApiKey);
            context.Printer.Error($"created {key.Id}{(key.IsAdmin ? " (admin)" : "")}: the key above is shown only once");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("ls", "List keys (an admin sees all)");
        command.Aliases.Add("list");
        CliContext.SetAction(command, async (context, cancellationToken) =>
        {
            var keys = await context.Client.ApiKeys.ListAsync(cancellationToken);
            if (context.Printer.Json)
            {
                context.Printer.WriteJson(keys);
                return ExitCodes.Ok;
            }
            context.Printer.Table(
                ["ID", "PREFIX", "ADMIN", "CREATED", "REVOKED", "DESCRIPTION"],
                keys.Select(k => new[]
                {
                    k.Id, k.KeyPrefix, k.IsAdmin ? "yes" : "no", Printer.Time(k.CreatedAt),
                    k.RevokedAt is null ? "-" : Printer.Time(k.RevokedAt), k.Description,
                }));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Revoke()
    {
        var id = new Argument<string>("id") { Description = "The key id (key_...)" };
        var command = new Command("revoke", "Revoke a key at once") { id };
        CliContext.SetAction(command, async (context, cancellationToken) =>
        {
            var keyId = context.Get(id)!;
            await context.Client.ApiKeys.RevokeAsync(keyId, cancellationToken);
            if (context.Printer.Json)
                context.Printer.WriteJson(new RevokedKey("revoked", keyId));
            else
                Printer.Line($"Revoked {keyId}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
