using Capsule.Server.Metrics;
using Capsule.Server.RateLimiting;
using Capsule.Server.Sessions;

namespace Capsule.Server.Mcp;

/// <summary>What every MCP connection's backend needs from the server; one shared instance.</summary>
internal sealed record McpServices(
    SessionRegistry Registry, MachineAdmission Admission, SessionLimits Limits, KeyQuotas Quotas, CapsuleMetrics Metrics, TimeProvider Time);
