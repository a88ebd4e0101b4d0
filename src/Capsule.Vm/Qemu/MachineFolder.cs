namespace Capsule.Vm.Qemu;

/// <summary>The files of one machine inside its run folder <c>&lt;RunDirectory&gt;/&lt;machine-id&gt;/</c>.</summary>
/// <remarks>The folder is created <c>0700</c> (<see cref="Create"/>): its sockets give control of the machine.</remarks>
internal sealed record MachineFolder(string Path)
{
    /// <summary>Owner-only: <c>rwx------</c>.</summary>
    public const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public string AgentSocket => Combine("agent.sock");
    public string QmpSocket => Combine("qmp.sock");
    /// <summary>The guest's serial console, read by <see cref="GuestConsole"/>.</summary>
    public string ConsoleSocket => Combine("console.sock");
    /// <summary>Where snapshot device state passes to or from QEMU (<see cref="Migration"/>).</summary>
    public string MigrationSocket => Combine("migrate.sock");
    public string QemuLog => Combine("qemu.log");
    public string PidFile => Combine("qemu.pid");
    public string Disk => Combine("disk.qcow2");

    /// <summary>Creates the folder (and a missing parent) owner-only; an existing folder is made owner-only too.</summary>
    public void Create()
    {
        var parent = System.IO.Path.GetDirectoryName(Path);
        if (parent is not null && !Directory.Exists(parent))
            CreatePrivate(parent);
        CreatePrivate(Path);
    }

    /// <summary>Creates <paramref name="path"/> (and missing parents) with mode 0700, and sets 0700 on it if it existed.</summary>
    public static void CreatePrivate(string path)
    {
        Directory.CreateDirectory(path, PrivateMode);
        File.SetUnixFileMode(path, PrivateMode);
    }

    private string Combine(string name) => System.IO.Path.Combine(Path, name);
}
