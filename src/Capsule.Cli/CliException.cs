namespace Capsule.Cli;

/// <summary>The command cannot go on for a reason the user can fix (bad config, unreadable input file).</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.Usage) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
