using System.Runtime.InteropServices;
using Capsule.Agent.Native;

namespace Capsule.Agent.Hosting;

/// <summary>
/// Process-wide duties. As the guest's PID 1 the agent ignores termination signals (its exit would
/// panic the kernel) and reaps every orphan (<see cref="ChildReaper"/>). In --listen mode it makes
/// itself a child subreaper, so orphans of its execs come back to it just as they would to PID 1.
/// </summary>
internal static class ProcessRole
{
    private static readonly List<PosixSignalRegistration> Registrations = [];

    public static bool IsInit => Libc.getpid() == 1;

    public static void Prepare()
    {
        // Writes to a closed pipe or socket must fail with EPIPE, not kill the agent.
        _ = Libc.signal(Libc.SIGPIPE, Libc.SIG_IGN);
        if (IsInit)
        {
            foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT, PosixSignal.SIGHUP })
                Registrations.Add(PosixSignalRegistration.Create(signal, context => context.Cancel = true));
        }
        else
        {
            _ = Libc.prctl(Libc.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        }
        ClaimChildSignals();
    }

    /// <summary>
    /// Puts SIGCHLD back to its default, so that <see cref="ChildReaper"/> is the only reaper: the
    /// .NET runtime installs a SIGCHLD handler when it sets up a terminal (as PID 1, stdio is the
    /// console), and that handler reaps children the agent is waiting for. Called once set-up is done.
    /// </summary>
    public static void ClaimChildSignals() => _ = Libc.signal(Libc.SIGCHLD, Libc.SIG_DFL);
}
