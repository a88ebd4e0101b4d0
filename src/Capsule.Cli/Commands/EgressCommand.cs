using System.CommandLine;
using Capsule.Cli.Output;
using Capsule.Client;

namespace Capsule.Cli.Commands;

/// <summary><c>capsule egress get|set SESSION</c>: what a session's VMs may reach.</summary>
internal static class EgressCommand
{
    public static Command Build()
    {
        var command = new Command("egress", "Show or replace a session's egress policy");
        command.Subcommands.Add(Get());
        command.Subcommands.Add(Set());
        return command;
    }

    private static Command Get()
    {
        var session = CommonOptions.SessionArgument();
        var command = new Command("get", "Show the egress policy in force for a session") { session };
        CliContext.SetAction(command, async (context, cancellationToken) =>
        {
            Print(context, await context.Client.GetSession(context.Get(session)!).GetEgressAsync(cancellationToken));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Set()
    {
        var session = CommonOptions.SessionArgument();
        var packageManagers = new Option<bool>("--package-managers")
        {
            Description = "Allow Debian's archive, PyPI and npm (true|false; false when left out)",
            Arity = ArgumentArity.ExactlyOne,
        };
        var http = new Option<bool>("--http") { Description = "Allow port 80" };
        var https = new Option<bool>("--https") { Description = "Allow port 443" };
        var domains = new Option<string[]>("--domain")
        {
            Description = "Allow a host name, exact or *.example.com (repeatable)",
            AllowMultipleArgumentsPerToken = false,
            DefaultValueFactory = _ => [],
        };
        var cidrs = new Option<string[]>("--cidr")
        {
            Description = "Allow an address range, e.g. 203.0.113.0/24 (repeatable)",
            AllowMultipleArgumentsPerToken = false,
            DefaultValueFactory = _ => [],
        };
        var command = new Command("set", "Replace a session's egress policy (what is not given is denied) and show the policy in force")
        {
            session, packageManagers, http, https, domains, cidrs,
        };
        CliContext.SetAction(command, async (context, cancellationToken) =>
        {
            var policy = new EgressPolicy
            {
                AllowPackageManagers = context.Get(packageManagers),
                AllowHttp = context.Get(http),
                AllowHttps = context.Get(https),
                AllowedDomains = context.Get(domains) ?? [],
                AllowedCidrs = context.Get(cidrs) ?? [],
            };
            Print(context, await context.Client.GetSession(context.Get(session)!).SetEgressAsync(policy, cancellationToken));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Print(CliContext context, EgressPolicy policy)
    {
        if (context.Printer.Json)
        {
            context.Printer.WriteJson(policy);
            return;
        }
        Printer.Fields(
            ("package managers", Allowed(policy.AllowPackageManagers)),
            ("http", Allowed(policy.AllowHttp)),
            ("https", Allowed(policy.AllowHttps)),
            ("domains", policy.AllowedDomains.Count == 0 ? "none" : string.Join(", ", policy.AllowedDomains)),
            ("cidrs", policy.AllowedCidrs.Count == 0 ? "none" : string.Join(", ", policy.AllowedCidrs)));
    }

    private static string Allowed(bool allowed) => allowed ? "allowed" : "denied";
}
