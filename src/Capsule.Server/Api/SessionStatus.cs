using System.Globalization;
using Capsule.Server.Api.Responses;
using Capsule.Server.Store;

namespace Capsule.Server.Api;

/// <summary>
/// Builds the status view. Three cases, as InstaVM documents them: no VM yet (all VM fields null/false),
/// VM alive (uptime and time left), VM ended (its state says why; <c>expires_in_seconds</c> is 0).
/// </summary>
internal static class SessionStatus
{
    public static SessionStatusResponse From(SessionRecord session, DateTimeOffset now)
    {
        var alive = session.VmState == VmState.Active;
        double? uptime = alive && session.SpawnedAt is { } spawned ? Math.Max(0, (now - spawned).TotalSeconds) : null;
        double? expiresIn = session.SpawnedAt switch
        {
            null => null,
            { } spawnedAt when alive => Math.Max(0, (spawnedAt.AddSeconds(session.VmLifetimeSeconds) - now).TotalSeconds),
            _ => 0,
        };
        return new SessionStatusResponse(
            SessionId: session.SessionId.ToString("D"),
            Exists: true,
            VmAssigned: alive,
            VmStatus: session.VmState?.ToWire(),
            VmId: session.VmId,
            VmAlive: alive,
            UptimeSeconds: uptime,
            ExpiresInSeconds: expiresIn,
            CreatedAt: session.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
    }
}
