using Capsule.Agent.Env;
using Capsule.Agent.Exec;
using Capsule.Agent.Limits;
using Capsule.Agent.Logging;
using Capsule.Agent.Native;
using Capsule.Agent.Pty;
using Capsule.Agent.Python;
using Microsoft.Extensions.Logging;

namespace Capsule.Agent.Hosting;

/// <summary>
/// What outlives host connections: the child reaper, the session env, the bash state, the python
/// kernel. One per agent process.
/// </summary>
internal sealed class AgentRuntime
{
    private AgentRuntime(SessionEnv env, BashState bashState, BashRunner bash, PythonKernel python, PtyLaunch pty)
    {
        Pty = pty;
        Env = env;
        BashState = bashState;
        Bash = bash;
        Python = python;
    }

    public SessionEnv Env { get; }
    public BashState BashState { get; }
    public BashRunner Bash { get; }
    public PythonKernel Python { get; }
    public PtyLaunch Pty { get; }

    public static AgentRuntime Start(AgentOptions options, ILogger logger)
    {
        Directory.CreateDirectory(options.StateDir);
        Directory.CreateDirectory(options.WorkDir);
        var reaper = new ChildReaper();
        reaper.Start();
        var devNull = Fd.Open("/dev/null", Libc.O_RDWR);
        var env = new SessionEnv();
        var bashState = new BashState(options.StateDir, options.WorkDir, SessionEnv.Base);
        // Only the guest: agent tests run the agent with --listen, sometimes as PID 1 of a pid namespace, and must
        // never touch the host's cgroups.
        var inGuest = ProcessRole.IsInit && options.ListenPath is null;
        AgentMemoryLock.TryLock(inGuest, logger);
        var cgroups = UserCgroups.TrySetUp(inGuest, logger);
        if (inGuest)
        {
            MemoryHotplugWatch.TryStart(() => cgroups?.RefreshMemoryMax(), () => GuestTmpfs.Resize(logger), logger);
        }
        var shell = new BashShell(reaper, devNull, bashState.Directory, options.WorkDir, bashState.StatePath, cgroups, logger);
        shell.Warm();
        var bash = new BashRunner(shell, bashState, cgroups, logger);
        var path = env.Get("PATH")!;
        var launch = KernelLaunch.Prepare(options.StateDir, options.WorkDir, path);
        if (launch is null)
            logger.PythonMissing(path);
        var python = new PythonKernel(reaper, launch, env, bash, devNull, cgroups, logger);
        python.Start();
        return new AgentRuntime(env, bashState, bash, python, new PtyLaunch(reaper, env, options.WorkDir, cgroups));
    }

    /// <summary>
    /// set_env: later execs of both languages see the values. Bash gets the names it can hold as
    /// variables; the kernel's update is queued behind execs already waiting, which is what "later" means.
    /// </summary>
    public void ApplyEnv(Dictionary<string, string> values)
    {
        Env.Merge(values);
        BashState.Apply(values.Where(kv => SessionEnv.IsShellName(kv.Key)));
        Python.EnqueueEnv(values);
    }
}
