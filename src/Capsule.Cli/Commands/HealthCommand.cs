using System.CommandLine;
using Capsule.Cli.Output;

namespace Capsule.Cli.Commands;

/// <summary><c>capsule health</c>: is the server up, and which accelerator do its VMs use. Needs no key.</summary>
internal static class HealthCommand
{
    public static Command Build()
    {
        var command = new Command("health", "Check the server");
        CliContext.SetAction(command, async (context, cancellationToken) =>
        {
            var health = await context.Client.GetHealthAsync(cancellationToken);
            if (context.Printer.Json)
            {
                context.Printer.WriteJson(health);
                return ExitCodes.Ok;
            }
            Printer.Fields(
                ("server", context.Client.BaseUrl.ToString()),
                ("status", health.Status),
                ("version", health.Version),
                ("accelerator", $"{health.Accelerator} ({health.AcceleratorReason})"),
                ("sessions", health.SessionsActive.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("machines", health.MachinesRunning.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            return ExitCodes.Ok;
        });
        return command;
    }
}
