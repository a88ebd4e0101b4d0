namespace Capsule.Vm.Qemu;

/// <summary>
/// Chooses KVM or TCG. KVM only when /dev/kvm is usable, the CPU has hardware virtualisation (vmx/svm) and the
/// kvm module is not PVM: a PVM /dev/kvm exists on hosts that cannot run a stock guest kernel.
/// </summary>
internal sealed class AcceleratorDetector(IHostProbe probe)
{
    public const string Kvm = "kvm";
    public const string Tcg = "tcg";
    private const string KvmDevice = "/dev/kvm";

    /// <param name="configured">"auto", "kvm" or "tcg" (<see cref="VmOptions.Accelerator"/>).</param>
    public AcceleratorInfo Detect(string configured)
    {
        switch (configured)
        {
            case Kvm:
                return new AcceleratorInfo(Kvm, "forced by configuration (Capsule:Vm:Accelerator = kvm)");
            case Tcg:
                return new AcceleratorInfo(Tcg, "forced by configuration (Capsule:Vm:Accelerator = tcg)");
        }
        if (!probe.PathExists(KvmDevice))
            return new AcceleratorInfo(Tcg, "/dev/kvm does not exist");
        if (probe.PathExists("/sys/module/kvm_pvm"))
            return new AcceleratorInfo(Tcg, "/dev/kvm is PVM (kvm_pvm loaded), which cannot run a stock guest kernel");
        var cpuFlag = FindVirtualisationFlag(probe.ReadText("/proc/cpuinfo"));
        if (cpuFlag is null)
            return new AcceleratorInfo(Tcg, "the CPU reports no vmx or svm flag in /proc/cpuinfo (no hardware virtualisation)");
        if (!probe.CanOpenReadWrite(KvmDevice))
            return new AcceleratorInfo(Tcg, "/dev/kvm exists but this process cannot open it for reading and writing");
        return new AcceleratorInfo(Kvm, $"/dev/kvm is usable and the CPU has {cpuFlag}");
    }

    private static string? FindVirtualisationFlag(string? cpuinfo)
    {
        if (cpuinfo is null)
            return null;
        foreach (var line in cpuinfo.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0 || line[..colon].Trim() != "flags")
                continue;
            var flags = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (flags.Contains("vmx"))
                return "vmx";
            if (flags.Contains("svm"))
                return "svm";
        }
        return null;
    }
}
