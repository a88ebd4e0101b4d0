using System.Text;

namespace Capsule.Agent.Native;

/// <summary>
/// Machines restored from one snapshot wake up with the same kernel CRNG state, and this guest kernel has no vmgenid
/// driver to notice. So the host's random handshake nonce is mixed into the kernel's input pool (a write to
/// /dev/urandom) and the CRNG is reseeded from it at once (ioctl RNDRESEEDCRNG): every clone then draws different
/// random numbers from its first connection on. Best effort: without CAP_SYS_ADMIN (tests on a host, not as root)
/// the ioctl is refused and nothing else changes.
/// </summary>
internal static class Entropy
{
    private const nuint RNDRESEEDCRNG = 0x5207;

    public static void MixAndReseed(string seed)
    {
        int fd;
        try
        {
            fd = Fd.Open("/dev/urandom", Libc.O_WRONLY);
        }
        catch (IOException)
        {
            return;
        }
        try
        {
            Fd.WriteAll(fd, Encoding.UTF8.GetBytes(seed));
            _ = Libc.ioctl(fd, RNDRESEEDCRNG, 0);
        }
        catch (IOException)
        {
        }
        finally
        {
            Fd.Close(fd);
        }
    }
}
