using Capsule.Vm.Machines;
using Capsule.Vm.Network;
using Capsule.Vm.Qemu;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Capsule.Vm;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers the QEMU machine host as <see cref="IMachineHost"/> (singleton; disposing the container destroys its
    /// machines), the run-folder janitor that runs at startup, <see cref="VmOptions"/> validated at startup, and the
    /// <see cref="MachineLimits"/> they give (what the control plane validates requests against), and the system
    /// <see cref="TimeProvider"/> unless one is registered already.
    /// </summary>
    public static IServiceCollection AddCapsuleVm(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<VmOptions>().Bind(configuration.GetSection(VmOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<VmOptions>, VmOptionsValidator>();
        services.AddSingleton(provider => MachineLimits.For(provider.GetRequiredService<IOptions<VmOptions>>().Value));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IHostProbe, HostProbe>();
        services.AddOptions<NetworkOptions>().Bind(configuration.GetSection(NetworkOptions.SectionName));
        services.AddSingleton<NetworkHost>();
        services.AddSingleton<QemuMachineHost>();
        services.AddSingleton<IMachineHost>(sp => sp.GetRequiredService<QemuMachineHost>());
        services.AddSingleton<RunDirectoryJanitor>();
        services.AddHostedService<VmStartup>();
        return services;
    }
}
