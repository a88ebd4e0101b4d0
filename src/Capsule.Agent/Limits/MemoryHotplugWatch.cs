using System.Runtime.InteropServices;
using Capsule.Agent.Logging;
using Capsule.Agent.Native;
using Microsoft.Extensions.Logging;

namespace Capsule.Agent.Limits;

/// <summary>
/// Calls back whenever the guest's memory changes size. A session's machine is restored with the snapshot's 128 MB
/// and virtio-mem then plugs the rest while the session already runs; its first exec often starts before the last
/// block is online. What is sized from MemTotal follows it: the user tree's <c>memory.max</c>
/// (<see cref="UserCgroups.RefreshMemoryMax"/>; without this an exec started early kept a limit sized for the base
/// memory, about 60 MB in a 1 GB session, and was OOM-killed far below the session's size) and the tmpfs mounts
/// (<see cref="GuestTmpfs"/>).
/// How: the kernel announces each memory block it adds and onlines (<c>SUBSYSTEM=memory</c>) as a uevent on the
/// <c>NETLINK_KOBJECT_UEVENT</c> socket; one thread waits on it and calls back on every such event, and once more when
/// no event came for <see cref="SettleTime"/>. A 512 MB session sends about six events (a block is added, then onlined);
/// what costs more than the limit's rewrite (the tmpfs remounts: in the bench's burst of 50 sessions, a remount per
/// event made the burst 40% slower) waits for the settled call.
/// </summary>
internal static unsafe class MemoryHotplugWatch
{
    private const int UeventGroup = 1;

    /// <summary>How long the guest's memory must stay the same before the settled call.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(1);
    private static ReadOnlySpan<byte> MemorySubsystem => "\0SUBSYSTEM=memory\0"u8;

    /// <summary>Starts the watching thread; false (logged) if the uevent socket cannot be opened.</summary>
    public static bool TryStart(Action onMemoryChanged, Action onMemorySettled, ILogger logger)
    {
        var fd = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, Libc.NETLINK_KOBJECT_UEVENT);
        if (fd < 0)
        {
            logger.MemoryWatchFailed(Marshal.GetLastPInvokeError());
            return false;
        }
        var address = new Libc.SockAddrNetlink { Family = Libc.AF_NETLINK, Groups = UeventGroup };
        if (Libc.bind(fd, &address, (uint)sizeof(Libc.SockAddrNetlink)) != 0)
        {
            logger.MemoryWatchFailed(Marshal.GetLastPInvokeError());
            Fd.Close(fd);
            return false;
        }
        var thread = new Thread(() => Run(fd, onMemoryChanged, onMemorySettled, logger), maxStackSize: 256 * 1024) { IsBackground = true, Name = "memory-hotplug" };
        thread.Start();
        return true;
    }

    private static void Run(int fd, Action onMemoryChanged, Action onMemorySettled, ILogger logger)
    {
        var buffer = new byte[8192];
        var settling = false;
        while (true)
        {
            if (settling && Fd.PollOne(fd, Libc.POLLIN, (int)SettleTime.TotalMilliseconds) == 0)
            {
                settling = false;
                onMemorySettled();
                continue;
            }
            nint length;
            fixed (byte* bytes = buffer)
                length = Libc.recv(fd, bytes, (nuint)buffer.Length, 0);
            if (length < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EINTR)
                    continue;
                if (errno == Libc.ENOBUFS)
                {
                    onMemoryChanged(); // events were dropped: one of them may have been a memory block's
                    settling = true;
                    continue;
                }
                logger.MemoryWatchFailed(errno);
                Fd.Close(fd);
                return;
            }
            if (buffer.AsSpan(0, (int)length).IndexOf(MemorySubsystem) >= 0)
            {
                onMemoryChanged();
                settling = true;
            }
        }
    }
}
