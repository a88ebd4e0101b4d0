namespace Capsule.Vm.Qemu;

/// <summary>The files of one machine inside its run folder <c>&lt;RunDirectory&gt;/&lt;machine-id&gt;/</c>.</summary>
internal sealed record MachineFolder(string Path)
{
    public string AgentSocket => Combine("agent.sock");
    public string QmpSocket => Combine("qmp.sock");
    public string ConsoleLog => Combine("console.log");
    public string QemuLog => Combine("qemu.log");
    public string PidFile => Combine("qemu.pid");
    public string Disk => Combine("disk.qcow2");

    private string Combine(string name) => System.IO.Path.Combine(Path, name);
}
