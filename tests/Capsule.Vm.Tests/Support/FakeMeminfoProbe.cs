using Capsule.Vm.Qemu;

namespace Capsule.Vm.Tests.Support;

/// <summary>The real host, except that /proc/meminfo says what the test wants.</summary>
internal sealed class FakeMeminfoProbe(long memTotalMb, long memAvailableMb) : IHostProbe
{
    private readonly HostProbe _real = new();

    public bool PathExists(string path) => _real.PathExists(path);

    public string? ReadText(string path) => path == "/proc/meminfo"
        ? $"MemTotal:       {memTotalMb * 1024} kB\nMemFree:        1 kB\nMemAvailable:   {memAvailableMb * 1024} kB\n"
        : _real.ReadText(path);

    public bool CanOpenReadWrite(string path) => _real.CanOpenReadWrite(path);
}
