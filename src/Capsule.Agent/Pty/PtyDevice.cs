using Capsule.Agent.Native;

namespace Capsule.Agent.Pty;

/// <summary>
/// A pseudo terminal pair: posix_openpt, grantpt, unlockpt, ptsname_r. The master stays with the agent (non-blocking,
/// close-on-exec); the agent also keeps the slave open (O_NOCTTY) for the PTY's whole life, so the master never reports
/// a hang-up before the shell has opened its side or after it has exited while output is still to be read.
/// </summary>
internal sealed unsafe class PtyDevice : IDisposable
{
    private PtyDevice(int master, int slave, string slavePath)
    {
        Master = master;
        Slave = slave;
        SlavePath = slavePath;
    }

    public int Master { get; private set; }

    public int Slave { get; private set; }

    /// <summary>The slave's path, e.g. /dev/pts/3.</summary>
    public string SlavePath { get; }

    public static PtyDevice Open(int cols, int rows)
    {
        var master = Libc.posix_openpt(Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC);
        if (master < 0)
            throw Fd.Error("posix_openpt");
        try
        {
            if (Libc.grantpt(master) != 0)
                throw Fd.Error("grantpt");
            if (Libc.unlockpt(master) != 0)
                throw Fd.Error("unlockpt");
            var name = stackalloc byte[128];
            var error = Libc.ptsname_r(master, name, 128);
            if (error != 0)
                throw Fd.Error("ptsname_r", error);
            var path = new string((sbyte*)name);
            master = Fd.MoveHigh(master);
            Fd.SetNonBlocking(master);
            SetSize(master, cols, rows);
            var slave = Fd.Open(path, Libc.O_RDWR | Libc.O_NOCTTY);
            return new PtyDevice(master, slave, path);
        }
        catch
        {
            Fd.Close(master);
            throw;
        }
    }

    /// <summary>TIOCSWINSZ on the master; the kernel sends SIGWINCH to the terminal's foreground process group.</summary>
    public static void SetSize(int master, int cols, int rows)
    {
        var size = new Libc.WinSize { Cols = (ushort)cols, Rows = (ushort)rows };
        if (Libc.ioctl(master, Libc.TIOCSWINSZ, (nuint)(&size)) != 0)
            throw Fd.Error("ioctl TIOCSWINSZ");
    }

    public void Dispose()
    {
        Fd.Close(Master);
        Fd.Close(Slave);
        Master = -1;
        Slave = -1;
    }
}
