using System.Text.Json;

namespace Capsule.Server.Api.Responses;

/// <summary>
/// One entry of <c>GET /v1/sessions/sandboxes</c>, in InstaVM's (E2B-like) shape. <c>sandbox_id</c> is the session id.
/// </summary>
/// <param name="TemplateId">The snapshot the VM shape comes from: <c>snap2</c> for 2 vCPUs (<c>snap</c> then the vcpu_count).</param>
/// <param name="StartedAt">When the latest VM spawned, or when the session was created if it never did.</param>
/// <param name="EndAt">When the VM will expire (active) or ended; null before the first VM.</param>
/// <param name="Status">As in the session info view (<c>created</c>, <c>active</c>, <c>killed</c>, ...).</param>
/// <param name="VcpuCount">Extension: the VM's vCPUs (so a list shows the shape without one request per session).</param>
/// <param name="MemoryMb">Extension: the VM's memory.</param>
internal sealed record SandboxResponse(
    string SandboxId,
    string TemplateId,
    string Name,
    JsonElement Metadata,
    string StartedAt,
    string? EndAt,
    string Status,
    int VcpuCount,
    int MemoryMb);
