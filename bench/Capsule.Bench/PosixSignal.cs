using System.Runtime.InteropServices;

namespace Capsule.Bench;

internal static partial class PosixSignal
{
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Send(int pid, int signal);
}
