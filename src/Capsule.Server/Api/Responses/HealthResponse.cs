namespace Capsule.Server.Api.Responses;

/// <summary><c>GET /health</c>: liveness plus what an operator wants at a glance.</summary>
internal sealed record HealthResponse(
    string Status,
    string Version,
    string Accelerator,
    string AcceleratorReason,
    int SessionsActive,
    int MachinesRunning);
