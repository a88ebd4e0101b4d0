using System.Globalization;
using System.Runtime.InteropServices;
using Capsule.Agent.Logging;
using Capsule.Agent.Native;
using Microsoft.Extensions.Logging;

namespace Capsule.Agent.Limits;

/// <summary>
/// Keeps the agent's code in RAM: every file-backed mapping of the agent (its binary, the libraries it loaded) is locked
/// with <c>mlock2(MLOCK_ONFAULT)</c>, so each page of them the agent has touched or will touch stays resident, and
/// nothing is read in ahead of use.
/// Why: a session that fills the guest's memory (a python fork loop, a big allocation) makes the kernel reclaim, and
/// clean file-backed pages are what it drops first. Under TCG each page read back from the virtio disk is slow, and
/// the agent then did not answer the host's health probe for over 30 s.
/// Why not <c>mlockall</c>: the guest has no swap, so anonymous memory (the heap) is never paged out anyway, and locked
/// heap pages cannot be given back (<c>MADV_DONTNEED</c> fails on them); <c>mlockall</c> cost each idle session more
/// host memory. Locks are not inherited by children. Guest only, like <see cref="UserCgroups"/>: agent tests
/// on the host must not lock the test runner's pages.
/// </summary>
internal static class AgentMemoryLock
{
    private const string MapsPath = "/proc/self/maps";

    public static void TryLock(bool inGuest, ILogger logger)
    {
        if (!inGuest)
            return;
        foreach (var line in File.ReadLines(MapsPath))
        {
            if (!TryParseFileMapping(line, out var start, out var end))
                continue;
            if (Libc.mlock2(start, end - start, Libc.MLOCK_ONFAULT) != 0)
            {
                logger.MemoryLockFailed(Marshal.GetLastPInvokeError());
                return;
            }
        }
    }

    /// <summary>A <c>/proc/self/maps</c> line (<c>start-end perms offset dev inode path</c>) of a readable mapping of a file.</summary>
    private static bool TryParseFileMapping(string line, out nuint start, out nuint end)
    {
        start = end = 0;
        var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 6 || !fields[5].StartsWith('/') || fields[5].StartsWith("/dev/", StringComparison.Ordinal) || fields[1][0] != 'r')
            return false;
        var range = fields[0].Split('-');
        return range.Length == 2
            && nuint.TryParse(range[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out start)
            && nuint.TryParse(range[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out end)
            && end > start;
    }
}
