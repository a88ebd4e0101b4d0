using Capsule.Vm.Qemu;

namespace Capsule.Vm.Tests.Qemu;

public sealed class QemuCommandLineTests
{
    private static QemuCommandLine CommandLine(string accelerator, int tcgTbSizeMb = 64) => new()
    {
        Accelerator = accelerator,
        VcpuCount = 2,
        BaseMemoryMb = 128,
        HotplugMemoryMb = 8192,
        TcgTbSizeMb = tcgTbSizeMb,
        Image = new GuestImage("/img"),
        Folder = new MachineFolder("/run/vm-0000abcd"),
    };

    [Fact]
    public void Build_Tcg_ProducesTheDocumentedArguments()
    {
        var args = CommandLine("tcg").Build();

        Assert.Equal(
        [
            "-M", "q35", "-accel", "tcg,thread=multi,tb-size=64", "-cpu", "max", "-smp", "2",
            "-m", "128M,maxmem=8320M,slots=1", "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
            "-kernel", "/img/vmlinuz", "-initrd", "/img/initrd.img",
            "-append", "console=ttyS0 quiet panic=-1 tsc=reliable no_timer_check memhp_default_state=online root=/dev/vda rw swiotlb=noforce",
            "-serial", "file:/run/vm-0000abcd/console.log",
            "-drive", "file=/run/vm-0000abcd/disk.qcow2,format=qcow2,if=none,id=root,cache=unsafe", "-device", "virtio-blk-pci,drive=root",
            "-object", "memory-backend-ram,id=vmem0,size=8192M,reserve=off",
            "-device", "virtio-mem-pci,id=vm0,memdev=vmem0,requested-size=0,block-size=2M",
            "-device", "virtio-rng-pci",
            "-device", "virtio-serial-pci", "-chardev", "socket,id=agent,path=/run/vm-0000abcd/agent.sock,server=on,wait=off",
            "-device", "virtserialport,chardev=agent,name=org.capsule.agent",
            "-qmp", "unix:/run/vm-0000abcd/qmp.sock,server=on,wait=off", "-pidfile", "/run/vm-0000abcd/qemu.pid",
        ], args);
    }

    [Fact]
    public void Build_Kvm_UsesKvmAndHostCpu()
    {
        var args = CommandLine("kvm").Build();

        Assert.Equal(["-M", "q35", "-accel", "kvm", "-cpu", "host", "-smp", "2"], args.Take(8));
        Assert.DoesNotContain(args, a => a.StartsWith("tcg", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_TcgWithoutTbSize_LeavesQemuDefault()
    {
        var args = CommandLine("tcg", tcgTbSizeMb: 0).Build();

        Assert.Equal("tcg,thread=multi", args[args.ToList().IndexOf("-accel") + 1]);
    }
}
