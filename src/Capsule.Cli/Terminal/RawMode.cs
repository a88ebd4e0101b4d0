using System.Runtime.InteropServices;

namespace Capsule.Cli.Terminal;

/// <summary>
/// Puts the local terminal (fd 0) in raw mode with cfmakeraw(3) (no echo, no line editing, no signals from Ctrl-C or
/// Ctrl-Z, bytes passed through as typed) and puts the saved settings back on dispose. termios is kept as opaque bytes:
/// only libc reads its fields. A no-op when stdin is not a terminal.
/// </summary>
internal sealed partial class RawMode : IDisposable
{
    /// <summary>glibc's struct termios is 60 bytes; room to spare.</summary>
    private const int TermiosBytes = 256;
    private const int StdinFd = 0;
    private const int TCSANOW = 0;

    private readonly byte[]? _saved;

    private RawMode(byte[]? saved) => _saved = saved;

    public static RawMode Enter()
    {
        var saved = new byte[TermiosBytes];
        if (isatty(StdinFd) != 1 || tcgetattr(StdinFd, saved) != 0)
            return new RawMode(null);
        var raw = (byte[])saved.Clone();
        cfmakeraw(raw);
        return tcsetattr(StdinFd, TCSANOW, raw) == 0 ? new RawMode(saved) : new RawMode(null);
    }

    public void Dispose()
    {
        if (_saved is not null)
            _ = tcsetattr(StdinFd, TCSANOW, _saved);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int isatty(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int tcgetattr(int fd, [Out] byte[] termios);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int tcsetattr(int fd, int optionalActions, [In] byte[] termios);

    [LibraryImport("libc")]
    private static partial void cfmakeraw([In, Out] byte[] termios);
}
