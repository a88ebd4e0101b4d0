namespace Capsule.Soak;

/// <summary>The host and the server at one moment of the soak.</summary>
/// <param name="At">Soak seconds.</param>
/// <param name="ServerRssMib">Null when the server process could not be read.</param>
/// <param name="HostCpuBusyPercent">Host CPU use since the previous sample, all cores (100 = every core busy).</param>
/// <param name="QemuCpuCores">Cores used by this run's QEMU processes since the previous sample (a floor: see <see cref="CpuMeter"/>).</param>
/// <param name="MachinesRunning">The server's own count (GET /health), null when it did not answer.</param>
internal sealed record HostSample(
    double At,
    double MemAvailableMib,
    double? ServerRssMib,
    int QemuProcesses,
    int LiveVms,
    int? MachinesRunning,
    double Load1,
    double? HostCpuBusyPercent,
    double? ServerCpuCores,
    double? QemuCpuCores);
