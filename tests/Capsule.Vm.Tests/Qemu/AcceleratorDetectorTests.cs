using Capsule.Vm.Qemu;

namespace Capsule.Vm.Tests.Qemu;

public sealed class AcceleratorDetectorTests
{
    private const string VmxCpuinfo = "processor\t: 0\nflags\t\t: fpu vme de pse tsc msr vmx sse sse2\n";
    private const string SvmCpuinfo = "processor\t: 0\nflags\t\t: fpu vme svm sse\n";
    private const string PlainCpuinfo = "processor\t: 0\nflags\t\t: fpu vme de pse tsc msr sse sse2 hypervisor\n";

    [Fact]
    public void Detect_PvmModuleLoaded_ChoosesTcgWithPvmReason()
    {
        var probe = new FakeProbe { Paths = { "/dev/kvm", "/sys/module/kvm_pvm" }, Cpuinfo = PlainCpuinfo, KvmOpens = true };

        var accelerator = new AcceleratorDetector(probe).Detect("auto");

        Assert.Equal("tcg", accelerator.Name);
        Assert.Equal("/dev/kvm is PVM (kvm_pvm loaded), which cannot run a stock guest kernel", accelerator.Reason);
    }

    [Fact]
    public void Detect_PvmModuleLoadedEvenWithVmx_ChoosesTcg()
    {
        var probe = new FakeProbe { Paths = { "/dev/kvm", "/sys/module/kvm_pvm" }, Cpuinfo = VmxCpuinfo, KvmOpens = true };

        Assert.Equal("tcg", new AcceleratorDetector(probe).Detect("auto").Name);
    }

    [Fact]
    public void Detect_VmxAndUsableKvmWithoutPvm_ChoosesKvm()
    {
        var probe = new FakeProbe { Paths = { "/dev/kvm" }, Cpuinfo = VmxCpuinfo, KvmOpens = true };

        var accelerator = new AcceleratorDetector(probe).Detect("auto");

        Assert.Equal("kvm", accelerator.Name);
        Assert.Contains("vmx", accelerator.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_SvmAndUsableKvm_ChoosesKvm()
    {
        var probe = new FakeProbe { Paths = { "/dev/kvm" }, Cpuinfo = SvmCpuinfo, KvmOpens = true };

        Assert.Equal("kvm", new AcceleratorDetector(probe).Detect("auto").Name);
    }

    [Fact]
    public void Detect_NoDevKvm_ChoosesTcg()
    {
        var probe = new FakeProbe { Cpuinfo = VmxCpuinfo };

        var accelerator = new AcceleratorDetector(probe).Detect("auto");

        Assert.Equal("tcg", accelerator.Name);
        Assert.Equal("/dev/kvm does not exist", accelerator.Reason);
    }

    [Fact]
    public void Detect_NoVirtualisationFlag_ChoosesTcg()
    {
        var probe = new FakeProbe { Paths = { "/dev/kvm" }, Cpuinfo = PlainCpuinfo, KvmOpens = true };

        var accelerator = new AcceleratorDetector(probe).Detect("auto");

        Assert.Equal("tcg", accelerator.Name);
        Assert.Contains("no vmx or svm", accelerator.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_KvmNotOpenable_ChoosesTcg()
    {
        var probe = new FakeProbe { Paths = { "/dev/kvm" }, Cpuinfo = VmxCpuinfo, KvmOpens = false };

        var accelerator = new AcceleratorDetector(probe).Detect("auto");

        Assert.Equal("tcg", accelerator.Name);
        Assert.Contains("cannot open", accelerator.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kvm")]
    [InlineData("tcg")]
    public void Detect_Forced_UsesConfiguredAcceleratorWhateverTheHost(string configured)
    {
        var probe = new FakeProbe { Paths = { "/dev/kvm", "/sys/module/kvm_pvm" }, Cpuinfo = PlainCpuinfo };

        var accelerator = new AcceleratorDetector(probe).Detect(configured);

        Assert.Equal(configured, accelerator.Name);
        Assert.Contains("forced by configuration", accelerator.Reason, StringComparison.Ordinal);
    }

    private sealed class FakeProbe : IHostProbe
    {
        public HashSet<string> Paths { get; } = [];
        public string? Cpuinfo { get; init; }
        public bool KvmOpens { get; init; }

        public bool PathExists(string path) => Paths.Contains(path);

        public string? ReadText(string path) => path == "/proc/cpuinfo" ? Cpuinfo : null;

        public bool CanOpenReadWrite(string path) => path == "/dev/kvm" && Paths.Contains(path) && KvmOpens;
    }
}
