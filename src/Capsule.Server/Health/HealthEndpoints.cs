using System.Reflection;
using Capsule.Server.Api;
using Capsule.Server.Api.OpenApi;
using Capsule.Server.Api.Responses;
using Capsule.Server.Sessions;
using Capsule.Vm;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Capsule.Server.Health;

/// <summary><c>GET /health</c>: no key needed; says which accelerator VMs run on and how busy the host is.</summary>
internal static class HealthEndpoints
{
    private static readonly string Version =
        typeof(HealthEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(HealthEndpoints).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", Get)
            .WithTags("Service")
            .WithSummary("Liveness, version, accelerator, load, capacity limits and warm pools; no key needed")
            .NoKey();
        return app;
    }

    private static JsonHttpResult<HealthResponse> Get(HostView host) =>
        TypedResults.Json(host.Now(), CapsuleJsonContext.Wire.HealthResponse);

    /// <summary>The host as it is now.</summary>
    internal static HealthResponse Now(IMachineHost machines, SessionRegistry registry, MachineCounter counter)
    {
        var capacity = machines.Capacity;
        return new HealthResponse(
            Status: "ok",
            Version: Version,
            Accelerator: machines.Accelerator.Name,
            AcceleratorReason: machines.Accelerator.Reason,
            Network: machines.Network.Slots,
            NetworkReason: machines.Network.Reason,
            SessionsActive: registry.ActiveSessions,
            MachinesRunning: counter.Running,
            Capacity: new HealthCapacity(
                capacity.MaxMachines,
                capacity.Machines,
                capacity.PooledMachines,
                capacity.MemoryOvercommitRatio,
                capacity.HostMemoryTotalMb,
                capacity.MemoryLimitMb,
                capacity.MemoryCommittedMb,
                capacity.HostMemoryAvailableMb,
                capacity.MinHostAvailableMemoryMb),
            WarmPool: [.. capacity.WarmPools.Select(p => new HealthWarmPool(p.VcpuCount, p.Ready, p.Target))]);
    }
}
