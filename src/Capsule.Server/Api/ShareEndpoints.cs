using Capsule.Server.Api.Errors;
using Capsule.Server.Api.OpenApi;
using Capsule.Server.Api.Requests;
using Capsule.Server.Api.Responses;
using Capsule.Server.Api.Validation;
using Capsule.Server.Apps;
using Capsule.Server.Auth;
using Capsule.Server.Sessions;
using Capsule.Server.Store;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Capsule.Server.Api;

/// <summary>
/// Guest ports at URLs: InstaVM's <c>GET /v1/sessions/app-url/{session_id}</c> and its shares API. Every URL is on the
/// apps origin (<see cref="AppsOptions"/>) and names a share by an unguessable id, never by session id.
/// </summary>
internal static class ShareEndpoints
{
    /// <summary>The guest's own address, the same in every VM (docs/network.md); only the host reaches it.</summary>
    private const string GuestAddress = "169.254.0.21";

    public static IEndpointRouteBuilder MapShareApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/sessions/app-url/{session_id}", AppUrlAsync)
            .WithTags("Shares")
            .WithSummary("A URL at which a guest port of the session is served (a private share; the same one each time)")
            .WithDescription("Query: port (1-65535, default 80). The URL needs this key in X-API-Key; make a public share with POST /v1/shares.")
            .ProducesErrors(404);
        app.MapPost("/v1/shares", CreateAsync)
            .WithTags("Shares")
            .WithSummary("Expose a guest port at a URL of the apps origin, private (this key only) or public")
            .AcceptsJson<CreateShareRequestSchema>()
            .ProducesErrors(404);
        app.MapGet("/v1/shares", ListAsync)
            .WithTags("Shares")
            .WithSummary("This key's shares, newest first (revoked ones included)")
            .ProducesErrors();
        app.MapPatch("/v1/shares/{share_id}", UpdateAsync)
            .WithTags("Shares")
            .WithSummary("Make a share public or private, or revoke it for good")
            .AcceptsJson<UpdateShareRequestSchema>()
            .ProducesErrors(404, 409);
        app.MapPost("/v1/shares/{share_id}/token", TokenAsync)
            .WithTags("Shares")
            .WithSummary("A one-time token that lets a browser into a private share (Capsule's extension)")
            .WithDescription("Open the answer's url within expires_in_seconds (60 by default): the apps origin uses the token up, sets an HttpOnly cookie for this share only and redirects to the URL without the token.")
            .ProducesErrors(404, 409);
        return app;
    }

    private static async Task<JsonHttpResult<AppUrlResponse>> AppUrlAsync(
        [FromRoute(Name = "session_id")] string sessionId,
        HttpRequest request, ApiKeyAuthenticator auth, SessionRegistry registry, IShareStore shares, IOptions<AppsOptions> apps,
        ShareUrls urls, TimeProvider time, CancellationToken cancellationToken)
    {
        var query = TextFields.Query(request.Query);
        var port = query.Int("port", defaultValue: 80, min: ShareLimits.MinPort, max: ShareLimits.MaxPort);
        query.ThrowIfInvalid();
        var caller = await auth.AuthenticateAsync(request, bodyKey: null, cancellationToken);
        var actor = await registry.FindOwnedAsync(sessionId, caller, cancellationToken);
        RequireAppsOrigin(apps.Value);

        var share = await shares.FindPrivateAsync(caller.KeyId, actor.SessionId, port!.Value, cancellationToken)
            ?? await InsertAsync(shares, actor.SessionId, caller.KeyId, port.Value, isPublic: false, time, cancellationToken);
        var status = SessionStatus.From(actor.CurrentRecord, time.GetUtcNow());
        var url = urls.For(share.ShareId);
        return TypedResults.Json(new AppUrlResponse(
            Url: url,
            DirectUrl: url,
            VmIp: GuestAddress,
            Port: share.Port,
            VmId: actor.CurrentRecord.VmId,
            SessionId: actor.SessionId.ToString("D"),
            Status: status.VmStatus ?? "created",
            ExpiresInSeconds: status.ExpiresInSeconds is { } seconds ? (int)Math.Floor(seconds) : null), CapsuleJsonContext.Wire.AppUrlResponse);
    }

    private static async Task<JsonHttpResult<ShareResponse>> CreateAsync(
        HttpRequest request, ApiKeyAuthenticator auth, SessionRegistry registry, IShareStore shares, IOptions<AppsOptions> apps,
        ShareUrls urls, TimeProvider time, CancellationToken cancellationToken)
    {
        using var document = await JsonBody.ReadObjectAsync(request, cancellationToken);
        var body = CreateShareRequest.Parse(document.RootElement);
        var caller = await auth.AuthenticateAsync(request, body.ApiKey, cancellationToken);
        var actor = await registry.FindOwnedAsync(body.SessionId, caller, cancellationToken);
        RequireAppsOrigin(apps.Value);

        var share = await InsertAsync(shares, actor.SessionId, caller.KeyId, body.Port, body.IsPublic, time, cancellationToken);
        return TypedResults.Json(ToResponse(share, urls), CapsuleJsonContext.Wire.ShareResponse);
    }

    private static async Task<JsonHttpResult<IReadOnlyList<ShareResponse>>> ListAsync(
        HttpRequest request, ApiKeyAuthenticator auth, IShareStore shares, ShareUrls urls, CancellationToken cancellationToken)
    {
        var caller = await auth.AuthenticateAsync(request, bodyKey: null, cancellationToken);
        var list = await shares.ListByKeyAsync(caller.KeyId, cancellationToken);
        IReadOnlyList<ShareResponse> responses = [.. list.Select(s => ToResponse(s, urls))];
        return TypedResults.Json(responses, CapsuleJsonContext.Wire.IReadOnlyListShareResponse);
    }

    private static async Task<JsonHttpResult<ShareResponse>> UpdateAsync(
        [FromRoute(Name = "share_id")] string shareId,
        HttpRequest request, ApiKeyAuthenticator auth, IShareStore shares, ShareUrls urls, TimeProvider time,
        CancellationToken cancellationToken)
    {
        using var document = await JsonBody.ReadObjectAsync(request, cancellationToken);
        var body = UpdateShareRequest.Parse(document.RootElement);
        var caller = await auth.AuthenticateAsync(request, body.ApiKey, cancellationToken);
        var share = await FindLiveOwnedAsync(shares, shareId, caller, cancellationToken);

        var updated = share with
        {
            IsPublic = body.IsPublic ?? share.IsPublic,
            RevokedAt = body.Revoke ? time.GetUtcNow() : null,
        };
        await shares.UpdateAsync(updated, cancellationToken);
        return TypedResults.Json(ToResponse(updated, urls), CapsuleJsonContext.Wire.ShareResponse);
    }

    private static async Task<JsonHttpResult<ShareTokenResponse>> TokenAsync(
        [FromRoute(Name = "share_id")] string shareId,
        HttpRequest request, ApiKeyAuthenticator auth, IShareStore shares, ShareAccess access, ShareUrls urls, IOptions<AppsOptions> apps,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = await auth.AuthenticateAsync(request, bodyKey: null, cancellationToken);
        var share = await FindLiveOwnedAsync(shares, shareId, caller, cancellationToken);
        RequireAppsOrigin(apps.Value);

        var (token, expiresAt) = access.IssueToken(share.ShareId);
        var url = $"{urls.For(share.ShareId)}?{ShareCookie.TokenParameter}={token}";
        var seconds = (int)Math.Ceiling((expiresAt - time.GetUtcNow()).TotalSeconds);
        return TypedResults.Json(
            new ShareTokenResponse(share.ShareId, token, url, seconds, WireTime.Format(expiresAt)), CapsuleJsonContext.Wire.ShareTokenResponse);
    }

    /// <summary>The caller's unrevoked share: 404 for an unknown id or another key's share, 409 for a revoked one.</summary>
    private static async Task<ShareRecord> FindLiveOwnedAsync(IShareStore shares, string shareId, Caller caller, CancellationToken cancellationToken)
    {
        var share = ShareIds.IsWellFormed(shareId) ? await shares.GetAsync(shareId, cancellationToken) : null;
        if (share is null || share.ApiKeyId != caller.KeyId)
            throw new CapsuleException(ErrorCode.NotFound, "Share not found");
        if (share.RevokedAt is not null)
            throw new CapsuleException(ErrorCode.Conflict, "The share is revoked; make a new one");
        return share;
    }

    private static void RequireAppsOrigin(AppsOptions apps)
    {
        if (apps.Port is null)
            throw new CapsuleException(ErrorCode.Unavailable, "Guest ports are not served on this host (Capsule:Apps:Url is empty)");
    }

    private static async Task<ShareRecord> InsertAsync(
        IShareStore shares, Guid sessionId, string keyId, int port, bool isPublic, TimeProvider time, CancellationToken cancellationToken)
    {
        var share = new ShareRecord
        {
            ShareId = ShareIds.New(),
            SessionId = sessionId,
            ApiKeyId = keyId,
            Port = port,
            IsPublic = isPublic,
            CreatedAt = time.GetUtcNow(),
        };
        await shares.InsertAsync(share, cancellationToken);
        return share;
    }

    private static ShareResponse ToResponse(ShareRecord share, ShareUrls urls) => new(
        ShareId: share.ShareId,
        SessionId: share.SessionId.ToString("D"),
        Port: share.Port,
        IsPublic: share.IsPublic,
        Url: urls.For(share.ShareId),
        Status: share.RevokedAt is null ? "active" : "revoked",
        CreatedAt: WireTime.Format(share.CreatedAt),
        RevokedAt: share.RevokedAt is { } revoked ? WireTime.Format(revoked) : null);
}
