namespace Capsule.Agent.Exec;

/// <summary>
/// The script every bash exec runs (<c>bash --noprofile --norc -c SCRIPT bash CODE</c>, empty
/// environment). It restores the session's shell state, runs the user's code with eval, and on exit
/// writes the new state to a per-exec snapshot file that the agent commits only if bash exited by
/// itself (see <see cref="BashState"/>). With a cgroup, bash first moves itself into it with a builtin (no fork), so
/// nothing the user's code starts is ever outside it.
/// </summary>
internal static class BashScript
{
    /// <summary>Last line of a complete snapshot; a snapshot without it was cut short.</summary>
    public const string EndMarker = "# capsule-state-end";

    public static string Wrapper(string statePath, string snapshotPath, string workDir, string? cgroup) => $$"""
        {{(cgroup is null ? "" : $"builtin echo 0 2>/dev/null > {Quote(Path.Join(cgroup, "cgroup.procs"))}")}}
        . {{Quote(statePath)}} 2>/dev/null
        builtin cd -- "${__capsule_cwd:-.}" 2>/dev/null || builtin cd -- {{Quote(workDir)}} 2>/dev/null
        builtin unset __capsule_cwd
        __capsule_save() {
          {
            builtin printf '__capsule_cwd=%q\n' "$PWD"
            builtin unset PWD OLDPWD SHLVL _
            builtin export -p
            builtin printf '%s\n' {{Quote(EndMarker)}}
          } > {{Quote(snapshotPath)}} 2>/dev/null
        }
        builtin trap __capsule_save EXIT
        __capsule_code=$1
        builtin set --
        builtin eval "$__capsule_code"
        """;

    /// <summary>Single-quotes a value for bash (embedded quotes become '\'').</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
