using Microsoft.Extensions.Hosting;

namespace Capsule.Vm.Qemu;

/// <summary>
/// At application start: creates the machine host (which logs the accelerator choice) and removes what a crashed
/// predecessor left in the run folder. At stop nothing: the container disposes the host, which destroys its machines.
/// </summary>
internal sealed class VmStartup(QemuMachineHost host, RunDirectoryJanitor janitor) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => janitor.CleanAsync(host.Owns, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
