using Capsule.Agent.Env;
using Capsule.Agent.Limits;
using Capsule.Agent.Native;

namespace Capsule.Agent.Pty;

/// <summary>What every PTY of the agent starts from: the reaper, the session env, the work folder and the user cgroups.</summary>
internal sealed class PtyLaunch(ChildReaper reaper, SessionEnv env, string workDir, UserCgroups? cgroups)
{
    public const string Term = "xterm-256color";

    public ChildReaper Reaper => reaper;

    public UserCgroups? Cgroups => cgroups;

    /// <summary>The shell's spec: its own session with the slave as controlling terminal on 0, 1 and 2.</summary>
    public SpawnSpec Spec(string shell, string slavePath) => new()
    {
        Path = shell,
        Argv = [shell, "-l"],
        Env = [.. env.ToEnvp().Where(e => !e.StartsWith("TERM=", StringComparison.Ordinal)), $"TERM={Term}"],
        Fds = new Dictionary<int, int> { [1] = 0, [2] = 0 },
        WorkingDirectory = workDir,
        TerminalPath = slavePath,
    };
}
