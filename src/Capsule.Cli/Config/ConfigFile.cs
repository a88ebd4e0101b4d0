namespace Capsule.Cli.Config;

/// <summary><c>~/.config/capsule/config.json</c>: <c>{"url": "http://...", "api_key": "capsule_sk_..."}</c>; both optional.</summary>
internal sealed record ConfigFile(string? Url, string? ApiKey)
{
    /// <summary><c>$XDG_CONFIG_HOME/capsule/config.json</c>, by default <c>~/.config/capsule/config.json</c>.</summary>
    public static string DefaultPath(Func<string, string?> environment)
    {
        var configHome = environment("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(environment("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(configHome, "capsule", "config.json");
    }
}
