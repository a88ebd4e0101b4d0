using System.Runtime.InteropServices;

namespace Capsule.Harness;

/// <summary>kill(2), for signals .NET's Process cannot send (SIGTERM to one process).</summary>
internal static partial class PosixSignal
{
    public const int Sigkill = 9;
    public const int Sigterm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Send(int pid, int signal);
}
