using System.Text.Json;
using Capsule.Server.Api.Responses;
using Capsule.Server.Store;

namespace Capsule.Server.Api;

/// <summary>Builds the session info and sandbox views from a session as it is now.</summary>
internal static class SessionViews
{
    /// <summary><c>created</c> before the first VM, else the latest VM's state (<c>active</c>, <c>killed</c>, ...).</summary>
    public static string StatusOf(SessionRecord session) => session.VmState?.ToWire() ?? "created";

    public static JsonElement MetadataOf(SessionRecord session)
    {
        using var document = JsonDocument.Parse(session.MetadataJson ?? "{}");
        return document.RootElement.Clone();
    }

    /// <summary>When the running VM will be destroyed; null when none runs.</summary>
    public static DateTimeOffset? ExpiresAt(SessionRecord session) =>
        session is { VmState: VmState.Active, SpawnedAt: { } spawned } ? spawned.AddSeconds(session.VmLifetimeSeconds) : null;

    public static SessionInfoResponse Info(SessionRecord session) => new(
        SessionId: session.SessionId.ToString("D"),
        Status: StatusOf(session),
        VmId: session.VmId,
        VcpuCount: session.VcpuCount,
        MemoryMb: session.MemoryMb,
        VmLifetimeSeconds: session.VmLifetimeSeconds,
        Metadata: MetadataOf(session),
        CreatedAt: WireTime.Format(session.CreatedAt),
        SpawnedAt: WireTime.Format(session.SpawnedAt),
        ExpiresAt: WireTime.Format(ExpiresAt(session)),
        EndedAt: session.VmState == VmState.Active ? null : WireTime.Format(session.EndedAt),
        EndReason: session.VmState is { } state && state != VmState.Active ? state.ToWire() : null,
        EndDetail: session.VmState == VmState.Active ? null : session.EndDetail);

    public static SandboxResponse Sandbox(SessionRecord session)
    {
        var template = $"snap{session.VcpuCount}";
        return new SandboxResponse(
            SandboxId: session.SessionId.ToString("D"),
            TemplateId: template,
            Name: template,
            Metadata: MetadataOf(session),
            StartedAt: WireTime.Format(session.SpawnedAt ?? session.CreatedAt),
            EndAt: WireTime.Format(ExpiresAt(session) ?? session.EndedAt),
            Status: StatusOf(session),
            VcpuCount: session.VcpuCount,
            MemoryMb: session.MemoryMb);
    }
}
