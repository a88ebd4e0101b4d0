using System.Runtime.InteropServices;

namespace Capsule.Vm.Qemu;

/// <summary>Sends POSIX signals; the BCL can only send SIGKILL (Process.Kill).</summary>
internal static partial class PosixSignals
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>Returns false if the process does not exist (any more) or cannot be signalled.</summary>
    public static bool Send(int pid, int signal) => pid > 0 && Kill(pid, signal) == 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
