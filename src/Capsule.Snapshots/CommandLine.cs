using System.Globalization;
using Capsule.Vm;

namespace Capsule.Snapshots;

/// <summary>The parsed arguments: <c>build [--force] [--vcpus 1,2,4,6,8]</c> or <c>list</c>.</summary>
internal sealed record CommandLine(string Verb, bool Force, IReadOnlyList<int> VcpuCounts)
{
    public const string Usage = """
        usage: Capsule.Snapshots build [--force] [--vcpus 1,2,4,6,8]
               Capsule.Snapshots list
        Builds (when missing or stale, or with --force) or lists the per-vCPU snapshots sessions are restored from.
        Configuration comes from Capsule__Vm__* environment variables (e.g. Capsule__Vm__SnapshotDirectory),
        the same settings as the server's Capsule:Vm section.
        """;

    /// <summary>The command line, or null with <paramref name="error"/> set.</summary>
    public static CommandLine? Parse(IReadOnlyList<string> args, out string? error)
    {
        error = null;
        if (args.Count == 0 || args[0] is not ("build" or "list"))
        {
            error = args.Count == 0 ? "missing command" : $"unknown command \"{args[0]}\"";
            return null;
        }
        var force = false;
        IReadOnlyList<int> vcpus = VmOptions.VcpuCounts;
        for (var i = 1; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--force" when args[0] == "build":
                    force = true;
                    break;
                case "--vcpus" when args[0] == "build" && i + 1 < args.Count:
                    var parsed = ParseVcpus(args[++i]);
                    if (parsed is null)
                    {
                        error = $"--vcpus takes a comma-separated list out of {string.Join(",", VmOptions.VcpuCounts)}, not \"{args[i]}\"";
                        return null;
                    }
                    vcpus = parsed;
                    break;
                default:
                    error = $"unexpected argument \"{args[i]}\"";
                    return null;
            }
        }
        return new CommandLine(args[0], force, vcpus);
    }

    private static List<int>? ParseVcpus(string text)
    {
        var result = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || !VmOptions.VcpuCounts.Contains(n))
                return null;
            if (!result.Contains(n))
                result.Add(n);
        }
        return result.Count == 0 ? null : result;
    }
}
