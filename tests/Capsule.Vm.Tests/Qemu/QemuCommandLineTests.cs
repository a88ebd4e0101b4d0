using Capsule.Vm.Machines;
using Capsule.Vm.Qemu;
using Capsule.Vm.Snapshots;

namespace Capsule.Vm.Tests.Qemu;

public sealed class QemuCommandLineTests
{
    private static readonly MachineShape TcgShape = new("tcg", 128, 8192, 32);
    private static readonly GuestImage Image = new("/img");
    private static readonly SnapshotFiles Files = new("/snap/key/snap2");

    private static Snapshot Snapshot(int vcpuCount) => new(Files, new SnapshotMeta
    {
        Key = "key",
        ImageKey = "image",
        VcpuCount = vcpuCount,
        BaseMemoryMb = 128,
        HotplugMemoryMb = 8192,
        Accelerator = "tcg",
        TcgTbSizeMb = 32,
        QemuVersion = "QEMU 7.2",
        KernelCommandLine = QemuCommandLine.KernelCommandLine,
        CreatedAt = DateTimeOffset.UnixEpoch,
        BuildSeconds = 1,
        AgentReadySeconds = 1,
        RamFileBytes = 1,
        StateBytes = 1,
        DiskBytes = 1,
    });

    [Fact]
    public void ForBuild_Tcg_ProducesTheDocumentedArguments()
    {
        var args = TcgShape.ForBuild(2, Image, Files, new MachineFolder("/run/vm-0000abcd")).Build();

        Assert.Equal(
        [
            "-M", "pc-q35-7.2,memory-backend=ram0", "-accel", "tcg,thread=multi,tb-size=32", "-cpu", "max", "-smp", "2",
            "-m", "128M,maxmem=8320M,slots=1",
            "-object", "memory-backend-file,id=ram0,size=128M,mem-path=/snap/key/snap2/ram,share=on",
            "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
            "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny",
            "-kernel", "/img/vmlinuz", "-initrd", "/img/initrd.img",
            "-append", "console=ttyS0 quiet panic=-1 tsc=reliable no_timer_check memhp_default_state=online root=/dev/vda rw swiotlb=noforce",
            "-chardev", "socket,id=console,path=/run/vm-0000abcd/console.sock,server=on,wait=off", "-serial", "chardev:console",
            "-drive", "file=/snap/key/snap2/disk.qcow2,format=qcow2,if=none,id=root,cache=unsafe", "-device", "virtio-blk-pci,drive=root",
            "-object", "memory-backend-ram,id=vmem0,size=8192M,reserve=off",
            "-device", "virtio-mem-pci,id=vm0,memdev=vmem0,requested-size=0,block-size=2M",
            "-device", "virtio-rng-pci",
            "-device", "virtio-serial-pci", "-chardev", "socket,id=agent,path=/run/vm-0000abcd/agent.sock,server=on,wait=off",
            "-device", "virtserialport,chardev=agent,name=org.capsule.agent",
            "-netdev", "hubport,id=net0,hubid=0",
            "-device", "virtio-net-pci,id=nic0,netdev=net0,mac=02:ca:75:00:00:02,mq=off,csum=off,guest_csum=off,gso=off,host_tso4=off,host_tso6=off,host_ecn=off,host_ufo=off,guest_tso4=off,guest_tso6=off,guest_ecn=off,guest_ufo=off",
            "-qmp", "unix:/run/vm-0000abcd/qmp.sock,server=on,wait=off", "-pidfile", "/run/vm-0000abcd/qemu.pid",
        ], args);
    }

    [Fact]
    public void ForRestore_Snapshot_MapsRamPrivatelyUsesOwnDiskStubKernelAndWaitsForIncoming()
    {
        var args = TcgShape.ForRestore(Snapshot(2), new MachineFolder("/run/vm-1111abcd")).Build();

        Assert.Contains("memory-backend-file,id=ram0,size=128M,mem-path=/snap/key/snap2/ram,share=off", args);
        Assert.Contains("file=/run/vm-1111abcd/disk.qcow2,format=qcow2,if=none,id=root,cache=unsafe", args);
        Assert.Equal("/snap/key/snap2/vmlinuz.stub", args[args.ToList().IndexOf("-kernel") + 1]);
        Assert.DoesNotContain("-initrd", args);
        Assert.Equal(["-incoming", "defer"], args.TakeLast(2));
    }

    [Fact]
    public void ForBuildAndForRestore_SameSnapshot_DifferOnlyInHostPathsShareAndIncoming()
    {
        var build = TcgShape.ForBuild(2, Image, Files, new MachineFolder("/run/vm-0000abcd")).Build().ToList();
        var restore = TcgShape.ForRestore(Snapshot(2), new MachineFolder("/run/vm-1111abcd")).Build().ToList();

        // Every option name (and so every device and its order) is the same, apart from the initrd and -incoming.
        var buildOptions = build.Where(a => a.StartsWith('-')).ToList();
        var restoreOptions = restore.Where(a => a.StartsWith('-')).ToList();
        buildOptions.Remove("-initrd");
        restoreOptions.Remove("-incoming");
        Assert.Equal(buildOptions, restoreOptions);
        Assert.Equal(
            build.Where(a => a.StartsWith("virtio", StringComparison.Ordinal) || a.StartsWith("virtserialport", StringComparison.Ordinal)),
            restore.Where(a => a.StartsWith("virtio", StringComparison.Ordinal) || a.StartsWith("virtserialport", StringComparison.Ordinal)));
    }

    [Fact]
    public void Describe_DifferentTbSizeOrMemory_ChangesTheShape()
    {
        Assert.Equal(TcgShape.Describe(), new MachineShape("tcg", 128, 8192, 32).Describe());
        Assert.NotEqual(TcgShape.Describe(), new MachineShape("tcg", 128, 8192, 16).Describe());
        Assert.NotEqual(TcgShape.Describe(), new MachineShape("tcg", 256, 8192, 32).Describe());
        Assert.NotEqual(TcgShape.Describe(), new MachineShape("kvm", 128, 8192, 32).Describe());
        Assert.NotEqual(TcgShape.Describe(), new MachineShape("tcg", 128, 8192, 32, "pc-q35-10.0").Describe());
        Assert.DoesNotContain("/run/", TcgShape.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_Kvm_UsesKvmAndHostCpu()
    {
        var args = new MachineShape("kvm", 128, 8192, 32).ForBuild(2, Image, Files, new MachineFolder("/run/vm-0000abcd")).Build();

        Assert.Equal(["-M", "pc-q35-7.2,memory-backend=ram0", "-accel", "kvm", "-cpu", "host", "-smp", "2"], args.Take(8));
        Assert.DoesNotContain(args, a => a.StartsWith("tcg", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_TcgWithoutTbSize_LeavesQemuDefault()
    {
        var args = new MachineShape("tcg", 128, 8192, 0).ForBuild(2, Image, Files, new MachineFolder("/run/vm-0000abcd")).Build();

        Assert.Equal("tcg,thread=multi", args[args.ToList().IndexOf("-accel") + 1]);
    }

    [Theory]
    [InlineData("tcg")]
    [InlineData("kvm")]
    public void Build_AnyAccelerator_NicOnABlackHoleSandboxedAndConsoleOnASocket(string accelerator)
    {
        var shape = new MachineShape(accelerator, 128, 8192, 32);
        var build = shape.ForBuild(2, Image, Files, new MachineFolder("/run/vm-0000abcd")).Build().ToList();
        var restore = shape.ForRestore(Snapshot(2), new MachineFolder("/run/vm-1111abcd")).Build().ToList();

        foreach (var args in new[] { build, restore })
        {
            // One NIC, the same in build and restore, whose only backend is a hub port: no user-mode network, no tap.
            Assert.Equal(["hubport,id=net0,hubid=0"], args.Where((_, i) => i > 0 && args[i - 1] == "-netdev"));
            Assert.Single(args, a => a.StartsWith("virtio-net-pci,", StringComparison.Ordinal) && a.Contains($"mac={QemuCommandLine.GuestMac}", StringComparison.Ordinal));
            Assert.DoesNotContain(args, a => a.StartsWith("user", StringComparison.Ordinal) || a.StartsWith("tap", StringComparison.Ordinal));
            Assert.Equal("on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny", args[args.IndexOf("-sandbox") + 1]);
            Assert.DoesNotContain(args, a => a.StartsWith("file:", StringComparison.Ordinal));
            Assert.Equal("chardev:console", args[args.IndexOf("-serial") + 1]);
        }
    }
}
