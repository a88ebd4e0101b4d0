using System.CommandLine;

namespace Capsule.Cli;

/// <summary>Options every command accepts (before or after the command name).</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Url = new("--url")
    {
        Description = "Server URL (else CAPSULE_URL, else the config file, else http://127.0.0.1:8080)",
        Recursive = true,
    };

    public static readonly Option<string?> ApiKey = new("--api-key")
    {
        Description = "API key (else CAPSULE_API_KEY, else the config file)",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print machine-readable JSON (no colours, no spinners)",
        Recursive = true,
    };
}
