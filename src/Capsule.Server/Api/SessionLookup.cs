using Capsule.Server.Api.Errors;
using Capsule.Server.Auth;
using Capsule.Server.Sessions;

namespace Capsule.Server.Api;

internal static class SessionLookup
{
    public const string NotFoundDetail = "Session not found";

    /// <summary>The caller's session, or 404 for an unknown id, a malformed id or another key's session alike.</summary>
    public static async Task<SessionActor> FindOwnedAsync(
        this SessionRegistry registry, string sessionId, Caller caller, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(sessionId, out var id))
            throw new CapsuleException(ErrorCode.NotFound, NotFoundDetail);
        return await registry.FindAsync(id, caller, cancellationToken)
            ?? throw new CapsuleException(ErrorCode.NotFound, NotFoundDetail);
    }
}
