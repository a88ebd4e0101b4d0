namespace Capsule.Agent.Pty;

/// <summary>
/// Which shells a PTY may run: absolute paths from a fixed list that exist in the guest. Each is started as a login
/// shell (<c>-l</c>), so /etc/profile and ~/.profile run as in a terminal session.
/// </summary>
internal static class ShellChoice
{
    public const string Default = "/bin/bash";

    public static readonly IReadOnlySet<string> Allowed = new HashSet<string>(StringComparer.Ordinal)
    {
        "/bin/bash", "/usr/bin/bash", "/bin/sh", "/usr/bin/sh", "/bin/dash", "/usr/bin/dash",
        "/bin/zsh", "/usr/bin/zsh", "/bin/fish", "/usr/bin/fish",
    };

    /// <summary>Null when <paramref name="shell"/> may run, else why not (for an error reply).</summary>
    public static string? Refusal(string shell) =>
        !Allowed.Contains(shell) ? $"Shell '{shell}' is not allowed; use one of {string.Join(", ", Allowed)}."
        : !File.Exists(shell) ? $"Shell '{shell}' is not installed in the guest."
        : null;
}
