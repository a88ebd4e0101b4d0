using System.Runtime.InteropServices;

namespace Capsule.Agent.Native;

/// <summary>
/// The libc calls the agent needs (Linux x86-64/arm64 glibc). In the native binary they are bound at
/// link time (DirectPInvoke); under the JIT (tests) "libc" resolves to libc.so.6.
/// Functions that fail return -1 and leave errno in <see cref="Marshal.GetLastPInvokeError"/>,
/// except posix_spawn*, which return the error number.
/// </summary>
internal static unsafe class Libc
{
    private const string Lib = "libc";

    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
    public const int O_NOCTTY = 0x100;

    public const short POLLIN = 0x1;
    public const short POLLOUT = 0x4;
    public const short POLLERR = 0x8;
    public const short POLLHUP = 0x10;
    public const short POLLNVAL = 0x20;

    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int ENOBUFS = 105;
    public const int ECHILD = 10;
    public const int EEXIST = 17;
    public const int EAGAIN = 11;
    public const int EPIPE = 32;
    public const int EIO = 5;

    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGPIPE = 13;
    public const int SIGCHLD = 17;

    public const int F_GETFD = 1;
    public const int F_GETFL = 3;
    public const int F_SETFL = 4;
    public const int F_DUPFD_CLOEXEC = 1030;

    public const int EFD_NONBLOCK = 0x800;
    public const int EFD_CLOEXEC = 0x80000;

    public const int PR_SET_CHILD_SUBREAPER = 36;

    public const short POSIX_SPAWN_SETSIGDEF = 0x04;
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;
    public const short POSIX_SPAWN_SETSID = 0x80;

    public const int _SC_CLK_TCK = 2;

    /// <summary>glibc's opaque spawn structs are 80 and 336 bytes; 1 KiB each leaves room.</summary>
    public const int OpaqueStructBytes = 1024;

    /// <summary>glibc's sigset_t is 128 bytes.</summary>
    public const int SigsetBytes = 128;

    public static readonly nint SIG_DFL = 0;
    public static readonly nint SIG_IGN = 1;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Rusage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public fixed long Rest[14];
    }

    [DllImport(Lib, SetLastError = true)]
    public static extern int open(byte* path, int flags, int mode);

    [DllImport(Lib, SetLastError = true)]
    public static extern int close(int fd);

    [DllImport(Lib, SetLastError = true)]
    public static extern int mkfifo(byte* path, int mode);

    [DllImport(Lib, SetLastError = true)]
    public static extern nint read(int fd, byte* buffer, nint count);

    [DllImport(Lib, SetLastError = true)]
    public static extern nint write(int fd, byte* buffer, nint count);

    [DllImport(Lib, SetLastError = true)]
    public static extern int poll(PollFd* fds, nuint count, int timeoutMs);

    [DllImport(Lib, SetLastError = true)]
    public static extern int pipe2(int* fds, int flags);

    [DllImport(Lib, SetLastError = true)]
    public static extern int ioctl(int fd, nuint request, nuint argument);

    [DllImport(Lib, SetLastError = true)]
    public static extern int fcntl(int fd, int command, int argument);

    [DllImport(Lib, SetLastError = true)]
    public static extern int eventfd(uint initialValue, int flags);

    [DllImport(Lib, SetLastError = true)]
    public static extern int kill(int pid, int signal);

    [DllImport(Lib, SetLastError = true)]
    public static extern int wait4(int pid, int* status, int options, Rusage* usage);

    [DllImport(Lib, SetLastError = true)]
    public static extern int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [DllImport(Lib, SetLastError = true)]
    public static extern nint signal(int signal, nint handler);

    [DllImport(Lib, SetLastError = true)]
    public static extern long sysconf(int name);

    [DllImport(Lib)]
    public static extern int getpid();

    public const uint MLOCK_ONFAULT = 1;

    [DllImport(Lib, SetLastError = true)]
    public static extern int mlock2(nuint address, nuint length, uint flags);

    public const int AF_NETLINK = 16;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int NETLINK_KOBJECT_UEVENT = 15;

    /// <summary>struct sockaddr_nl.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockAddrNetlink
    {
        public ushort Family;
        public ushort Pad;
        public uint Pid;
        public uint Groups;
    }

    [DllImport(Lib, SetLastError = true)]
    public static extern int socket(int domain, int type, int protocol);

    [DllImport(Lib, SetLastError = true)]
    public static extern int bind(int fd, SockAddrNetlink* address, uint length);

    [DllImport(Lib, SetLastError = true)]
    public static extern nint recv(int fd, byte* buffer, nuint length, int flags);

    public const ulong MS_NOSUID = 2;
    public const ulong MS_NODEV = 4;
    public const ulong MS_REMOUNT = 32;

    [DllImport(Lib, SetLastError = true)]
    public static extern int mount(byte* source, byte* target, byte* fileSystemType, ulong flags, byte* data);

    [DllImport(Lib)]
    public static extern int posix_spawn(int* pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);

    [DllImport(Lib)]
    public static extern int posix_spawn_file_actions_init(void* fileActions);

    [DllImport(Lib)]
    public static extern int posix_spawn_file_actions_destroy(void* fileActions);

    [DllImport(Lib)]
    public static extern int posix_spawn_file_actions_adddup2(void* fileActions, int fd, int newFd);

    [DllImport(Lib)]
    public static extern int posix_spawn_file_actions_addclosefrom_np(void* fileActions, int lowFd);

    [DllImport(Lib)]
    public static extern int posix_spawn_file_actions_addchdir_np(void* fileActions, byte* path);

    [DllImport(Lib)]
    public static extern int posix_spawnattr_init(void* attributes);

    [DllImport(Lib)]
    public static extern int posix_spawnattr_destroy(void* attributes);

    [DllImport(Lib)]
    public static extern int posix_spawnattr_setflags(void* attributes, short flags);

    [DllImport(Lib)]
    public static extern int posix_spawnattr_setsigmask(void* attributes, void* sigset);

    [DllImport(Lib)]
    public static extern int posix_spawnattr_setsigdefault(void* attributes, void* sigset);

    [DllImport(Lib)]
    public static extern int sigemptyset(void* sigset);

    [DllImport(Lib)]
    public static extern int sigfillset(void* sigset);

    /// <summary>ioctl requests of the terminal driver (asm-generic/ioctls.h, the same on x86-64 and arm64).</summary>
    public const nuint TIOCSWINSZ = 0x5414;
    public const nuint TIOCGWINSZ = 0x5413;

    /// <summary>struct winsize.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct WinSize
    {
        public ushort Rows;
        public ushort Cols;
        public ushort XPixels;
        public ushort YPixels;
    }

    [DllImport(Lib, SetLastError = true)]
    public static extern int posix_openpt(int flags);

    [DllImport(Lib, SetLastError = true)]
    public static extern int grantpt(int fd);

    [DllImport(Lib, SetLastError = true)]
    public static extern int unlockpt(int fd);

    /// <summary>Returns the error number (0 on success), like posix_spawn.</summary>
    [DllImport(Lib)]
    public static extern int ptsname_r(int fd, byte* buffer, nuint length);

    [DllImport(Lib)]
    public static extern int posix_spawn_file_actions_addopen(void* fileActions, int fd, byte* path, int flags, int mode);

    public static int LastError => Marshal.GetLastPInvokeError();
}
