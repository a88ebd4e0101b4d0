using System.Runtime.InteropServices;

namespace Capsule.Agent.Native;

/// <summary>
/// posix_spawn with file actions (dup2 of the given fds, close everything above them, optional chdir)
/// and attributes (setsid, all signals back to default, empty mask). Not System.Diagnostics.Process:
/// its own SIGCHLD reaping would race the agent's reaper, and it cannot setsid.
/// </summary>
internal static unsafe class Spawner
{
    /// <summary>Starts the child and returns its pid. Callers register the pid with the reaper under its lock.</summary>
    public static int Spawn(SpawnSpec spec)
    {
        var fileActions = NativeMemory.AllocZeroed(Libc.OpaqueStructBytes);
        var attributes = NativeMemory.AllocZeroed(Libc.OpaqueStructBytes);
        var sigset = NativeMemory.AllocZeroed(Libc.SigsetBytes);
        var strings = new List<nint>();
        try
        {
            Check(Libc.posix_spawn_file_actions_init(fileActions), "posix_spawn_file_actions_init");
            Check(Libc.posix_spawnattr_init(attributes), "posix_spawnattr_init");
            try
            {
                var highest = -1;
                if (spec.TerminalPath is { } terminal)
                {
                    // glibc runs setsid (POSIX_SPAWN_SETSID) before the file actions, so this open acquires the terminal.
                    Check(Libc.posix_spawn_file_actions_addopen(fileActions, 0, (byte*)Utf8(terminal, strings), Libc.O_RDWR, 0), "addopen");
                    highest = 0;
                }
                foreach (var (target, source) in spec.Fds)
                {
                    Check(Libc.posix_spawn_file_actions_adddup2(fileActions, source, target), "adddup2");
                    highest = Math.Max(highest, target);
                }
                Check(Libc.posix_spawn_file_actions_addclosefrom_np(fileActions, highest + 1), "addclosefrom_np");
                if (spec.WorkingDirectory is { } cwd)
                    Check(Libc.posix_spawn_file_actions_addchdir_np(fileActions, (byte*)Utf8(cwd, strings)), "addchdir_np");

                Check(Libc.posix_spawnattr_setflags(attributes,
                    Libc.POSIX_SPAWN_SETSID | Libc.POSIX_SPAWN_SETSIGDEF | Libc.POSIX_SPAWN_SETSIGMASK), "setflags");
                _ = Libc.sigemptyset(sigset);
                Check(Libc.posix_spawnattr_setsigmask(attributes, sigset), "setsigmask");
                _ = Libc.sigfillset(sigset);
                Check(Libc.posix_spawnattr_setsigdefault(attributes, sigset), "setsigdefault");

                var argv = Vector(spec.Argv, strings);
                var envp = Vector(spec.Env, strings);
                var path = (byte*)Utf8(spec.Path, strings);
                int pid;
                Check(Libc.posix_spawn(&pid, path, fileActions, attributes, (byte**)argv, (byte**)envp), $"posix_spawn {spec.Path}");
                return pid;
            }
            finally
            {
                _ = Libc.posix_spawn_file_actions_destroy(fileActions);
                _ = Libc.posix_spawnattr_destroy(attributes);
            }
        }
        finally
        {
            foreach (var p in strings)
                NativeMemory.Free((void*)p);
            NativeMemory.Free(fileActions);
            NativeMemory.Free(attributes);
            NativeMemory.Free(sigset);
        }
    }

    private static nint Utf8(string value, List<nint> owned)
    {
        var bytes = Fd.NullTerminated(value);
        var p = NativeMemory.Alloc((nuint)bytes.Length);
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        owned.Add((nint)p);
        return (nint)p;
    }

    private static nint Vector(IReadOnlyList<string> values, List<nint> owned)
    {
        var vector = (nint*)NativeMemory.AllocZeroed((nuint)(values.Count + 1), (nuint)sizeof(nint));
        owned.Add((nint)vector);
        for (var i = 0; i < values.Count; i++)
            vector[i] = Utf8(values[i], owned);
        return (nint)vector;
    }

    private static void Check(int error, string call)
    {
        if (error != 0)
            throw Fd.Error(call, error);
    }
}
