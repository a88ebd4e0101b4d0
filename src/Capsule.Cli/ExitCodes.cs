namespace Capsule.Cli;

/// <summary>
/// What <c>capsule</c> exits with. <c>exec</c> and <c>run</c> exit with the guest's own exit code, so these only
/// claim what the guest conventions leave free enough to tell apart in practice.
/// </summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Bad arguments (System.CommandLine's parse errors use it too).</summary>
    public const int Usage = 1;

    /// <summary>The server refused the call or could not be reached; the detail is on stderr.</summary>
    public const int ApiError = 2;

    /// <summary>The guest code hit its timeout (as GNU timeout reports it).</summary>
    public const int TimedOut = 124;

    /// <summary>Interrupted with Ctrl+C.</summary>
    public const int Interrupted = 130;

    public static int FromGuest(int exitCode, bool timedOut) => timedOut ? TimedOut : exitCode;
}
