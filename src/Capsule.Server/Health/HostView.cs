using Capsule.Server.Api.Responses;
using Capsule.Server.Sessions;
using Capsule.Vm;

namespace Capsule.Server.Health;

/// <summary>The host as /health shows it, for whoever else shows it (the dashboard's host page) without naming VM types.</summary>
internal sealed class HostView(IMachineHost machines, SessionRegistry registry, MachineCounter counter)
{
    public HealthResponse Now() => HealthEndpoints.Now(machines, registry, counter);
}
