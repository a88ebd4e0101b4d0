using System.Runtime.InteropServices;
using System.Text;
using Capsule.Agent.Logging;
using Capsule.Agent.Native;
using Microsoft.Extensions.Logging;

namespace Capsule.Agent.Limits;

/// <summary>
/// Re-sizes the guest's tmpfs mounts (<c>/tmp</c>, <c>/dev/shm</c>) to half its memory. The initramfs mounts them at boot,
/// when the snapshot has 128 MB, and a tmpfs's size is fixed when it is mounted: 46 MB, whatever the session's size.
/// A remount with <c>size=50%</c> makes the kernel compute the size again from the memory present now. The flags the
/// initramfs gave (<c>nosuid,nodev</c>) are given again, since a remount replaces them. What a session writes there
/// is charged to its own cgroup, so a bigger tmpfs cannot take the memory the agent keeps.
/// </summary>
internal static unsafe class GuestTmpfs
{
    private static readonly string[] MountPoints = ["/tmp", "/dev/shm"];

    public static void Resize(ILogger logger)
    {
        var data = Encoding.ASCII.GetBytes("size=50%\0");
        foreach (var mountPoint in MountPoints)
        {
            var target = Encoding.UTF8.GetBytes(mountPoint + "\0");
            int result;
            fixed (byte* targetBytes = target)
            fixed (byte* dataBytes = data)
                result = Libc.mount(null, targetBytes, null, Libc.MS_REMOUNT | Libc.MS_NOSUID | Libc.MS_NODEV, dataBytes);
            if (result != 0)
                logger.TmpfsResizeFailed(mountPoint, Marshal.GetLastPInvokeError());
        }
    }
}
