using System.CommandLine;
using Capsule.Cli.Output;
using Capsule.Client;

namespace Capsule.Cli.Commands;

/// <summary><c>capsule share create|ls|revoke|token</c>: guest ports at URLs of the apps origin.</summary>
internal static class ShareCommand
{
    public static Command Build()
    {
        var command = new Command("share", "Serve guest ports at URLs (shares)");
        command.Subcommands.Add(Create());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Revoke());
        command.Subcommands.Add(Token());
        return command;
    }

    private static Command Create()
    {
        var session = CommonOptions.SessionArgument();
        var port = new Argument<int>("port") { Description = "Guest TCP port (1-65535)" };
        var isPublic = new Option<bool>("--public") { Description = "Let anyone with the URL in (default: this key only)" };
        var command = new Command("create", "Serve a guest port of a session at a new URL") { session, port, isPublic };
        CliContext.SetAction(command, async (context, cancellationToken) =>
        {
            var number = context.Get(port);
            if (number is < 1 or > 65535)
                throw new CliException($"port must be 1 to 65535, not {number}");
            var share = await context.Client.Shares.CreateAsync(context.Get(session)!, number, context.Get(isPublic), cancellationToken);
            Print(context, share);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("ls", "List this key's shares, newest first (revoked ones included)");
        command.Aliases.Add("list");
        CliContext.SetAction(command, async (context, cancellationToken) =>
        {
            var shares = await context.Client.Shares.ListAsync(cancellationToken);
            if (context.Printer.Json)
            {
                context.Printer.WriteJson(shares);
                return ExitCodes.Ok;
            }
            context.Printer.Table(
                ["ID", "SESSION", "PORT", "PUBLIC", "STATUS", "URL"],
                shares.Select(s => new[]
                {
                    s.ShareId, s.SessionId, s.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), s.IsPublic ? "yes" : "no",
                    s.Status, s.Url.ToString(),
                }));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Revoke()
    {
        var id = new Argument<string>("share_id") { Description = "The share id" };
        var command = new Command("revoke", "Revoke a share for good (its URL answers 404 from now on)") { id };
        CliContext.SetAction(command, async (context, cancellationToken) =>
        {
            var share = await context.Client.Shares.RevokeAsync(context.Get(id)!, cancellationToken);
            if (context.Printer.Json)
                context.Printer.WriteJson(share);
            else
                Printer.Line($"Revoked {share.ShareId}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Token()
    {
        var id = new Argument<string>("share_id") { Description = "The share id" };
        var command = new Command("token", "Print a one-time URL that lets a browser into a private share (open it within a minute)") { id };
        CliContext.SetAction(command, async (context, cancellationToken) =>
        {
            var token = await context.Client.Shares.CreateTokenAsync(context.Get(id)!, cancellationToken);
            if (context.Printer.Json)
                context.Printer.WriteJson(token);
            else
                Printer.Line(token.Url.ToString());
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Print(CliContext context, Share share)
    {
        if (context.Printer.Json)
        {
            context.Printer.WriteJson(share);
            return;
        }
        Printer.Fields(
            ("share id", share.ShareId),
            ("url", share.Url.ToString()),
            ("port", share.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("public", share.IsPublic ? "yes" : "no"),
            ("status", share.Status));
    }
}
