namespace Capsule.Agent.Env;

/// <summary>
/// The environment every exec starts from: a fixed base (the agent's own environment as PID 1 is
/// the kernel's, which is no use to anyone) overlaid with what <c>set_env</c> sent.
/// </summary>
internal sealed class SessionEnv
{
    public static readonly IReadOnlyList<KeyValuePair<string, string>> Base =
    [
        new("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
        new("HOME", "/root"),
        new("LANG", "C.UTF-8"),
        new("TERM", "dumb"),
    ];

    private readonly object _gate = new();
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public SessionEnv()
    {
        foreach (var (key, value) in Base)
            _values[key] = value;
    }

    public void Merge(IReadOnlyDictionary<string, string> env)
    {
        lock (_gate)
        {
            foreach (var (key, value) in env)
                _values[key] = value;
        }
    }

    /// <summary>"KEY=value" strings for a new process.</summary>
    public IReadOnlyList<string> ToEnvp()
    {
        lock (_gate)
            return [.. _values.Select(kv => $"{kv.Key}={kv.Value}")];
    }

    public string? Get(string key)
    {
        lock (_gate)
            return _values.GetValueOrDefault(key);
    }

    /// <summary>Names a process environment can carry: non-empty, no '=' and no NUL.</summary>
    public static bool IsValidName(string name) =>
        name.Length > 0 && !name.Contains('=', StringComparison.Ordinal) && !name.Contains('\0', StringComparison.Ordinal);

    /// <summary>Names bash can hold as variables (others reach python only).</summary>
    public static bool IsShellName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
            return false;
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
                return false;
        }
        return true;
    }
}
