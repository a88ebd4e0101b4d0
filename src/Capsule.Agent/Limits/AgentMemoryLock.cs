using System.Runtime.InteropServices;
using Capsule.Agent.Logging;
using Capsule.Agent.Native;
using Microsoft.Extensions.Logging;

namespace Capsule.Agent.Limits;

/// <summary>
/// Keeps the agent's pages in RAM: <c>mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)</c>, so every page the agent has
/// touched or will touch stays resident, and nothing is populated ahead of use (the GC's reservations stay free).
/// Why: a session that fills the guest's memory (a python fork loop, a big allocation) makes the kernel reclaim, and
/// the agent's code is clean file-backed pages, the first to go. Under TCG each page read back from the virtio disk is
/// slow, and the agent then did not answer the host's health probe for over 30 s. With its pages locked, the
/// kernel reclaims from the session's own memory (or OOM-kills in the user tree) and the agent keeps answering.
/// Locks are not inherited by children (the fork or exec of a spawn drops them). Guest only, like
/// <see cref="UserCgroups"/>: agent tests on the host must not lock the test runner's memory.
/// </summary>
internal static class AgentMemoryLock
{
    public static void TryLock(bool inGuest, ILogger logger)
    {
        if (!inGuest)
            return;
        if (Libc.mlockall(Libc.MCL_CURRENT | Libc.MCL_FUTURE | Libc.MCL_ONFAULT) != 0)
            logger.MemoryLockFailed(Marshal.GetLastPInvokeError());
    }
}
