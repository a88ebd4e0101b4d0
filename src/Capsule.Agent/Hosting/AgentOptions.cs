namespace Capsule.Agent.Hosting;

/// <summary>
/// Command line: <c>capsule-agent [--listen PATH] [--state-dir DIR] [--workdir DIR] [--verbose]</c>.
/// Without --listen the agent serves the virtio-serial port (the guest's PID 1).
/// </summary>
internal sealed record AgentOptions
{
    public const string Usage = "usage: capsule-agent [--listen <unix-socket-path>] [--state-dir <dir>] [--workdir <dir>] [--verbose]";

    public string? ListenPath { get; init; }
    public string StateDir { get; init; } = "/run/capsule";
    public string WorkDir { get; init; } = "/app";
    public bool Verbose { get; init; }

    /// <summary>
    /// Also read from the environment, since PID 1 gets no arguments: the kernel passes unknown
    /// <c>NAME=value</c> words of its command line to init as environment variables.
    /// </summary>
    public const string VerboseVariable = "CAPSULE_AGENT_VERBOSE";

    public static AgentOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        var options = new AgentOptions { Verbose = Environment.GetEnvironmentVariable(VerboseVariable) == "1" };
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            string? Value() => i + 1 < args.Count ? args[++i] : null;
            switch (args[i])
            {
                case "--listen" when Value() is { } path:
                    options = options with { ListenPath = Path.GetFullPath(path) };
                    break;
                case "--state-dir" when Value() is { } dir:
                    options = options with { StateDir = Path.GetFullPath(dir) };
                    break;
                case "--workdir" when Value() is { } dir:
                    options = options with { WorkDir = Path.GetFullPath(dir) };
                    break;
                case "--verbose":
                    options = options with { Verbose = true };
                    break;
                default:
                    error = $"Unknown or incomplete argument '{args[i]}'.";
                    return null;
            }
        }
        return options;
    }
}
