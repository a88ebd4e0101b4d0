using Capsule.Server.Api.Errors;
using Capsule.Server.Api.OpenApi;
using Capsule.Server.Api.Requests;
using Capsule.Server.Api.Responses;
using Capsule.Server.Api.Validation;
using Capsule.Server.Auth;
using Capsule.Server.Store;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Capsule.Server.Api;

/// <summary>
/// InstaVM's <c>/v1/api-keys/</c>. Each key is its own tenant: it sees only itself, and may rename or revoke itself.
/// Admin keys see and manage every key, and only they create keys. Another key's id answers 404, as for sessions.
/// </summary>
internal static class ApiKeyEndpoints
{
    public const string NotFoundDetail = "API key not found";

    public static IEndpointRouteBuilder MapApiKeyApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/api-keys/", CreateAsync)
            .WithTags("API keys")
            .WithSummary("Create an API key (admin keys only); the key is in the answer, once")
            .AcceptsJson<CreateApiKeyRequestSchema>()
            .Produces<ApiKeyCreatedResponse>(StatusCodes.Status201Created, "application/json")
            .ProducesErrors(403);
        app.MapGet("/v1/api-keys/", ListAsync)
            .WithTags("API keys")
            .WithSummary("The keys the caller may see: itself, or every key for an admin");
        app.MapGet("/v1/api-keys/{key_id}", GetAsync)
            .WithTags("API keys")
            .WithSummary("One key")
            .ProducesErrors(404);
        app.MapPatch("/v1/api-keys/{key_id}", UpdateAsync)
            .WithTags("API keys")
            .WithSummary("Change a key's description")
            .AcceptsJson<UpdateApiKeyRequestSchema>()
            .ProducesErrors(404);
        app.MapDelete("/v1/api-keys/{key_id}", RevokeAsync)
            .WithTags("API keys")
            .WithSummary("Revoke a key: it stops working at once")
            .ProducesErrors(404, 409);
        return app;
    }

    private static async Task<JsonHttpResult<ApiKeyCreatedResponse>> CreateAsync(
        HttpRequest request, ApiKeyAuthenticator auth, ApiKeyService keys, CancellationToken cancellationToken)
    {
        using var document = await JsonBody.ReadOptionalObjectAsync(request, cancellationToken);
        var body = CreateApiKeyRequest.Parse(document.RootElement);
        var caller = await auth.AuthenticateAsync(request, bodyKey: null, cancellationToken);
        if (!caller.IsAdmin)
            throw new CapsuleException(ErrorCode.PermissionDenied, "Only an admin API key can create API keys");

        var (record, key) = await keys.CreateAsync(body.Description, body.IsAdmin, cancellationToken);
        return TypedResults.Json(
            new ApiKeyCreatedResponse(record.Id, key, record.Description, record.IsAdmin, WireTime.Format(record.CreatedAt)),
            CapsuleJsonContext.Wire.ApiKeyCreatedResponse, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<JsonHttpResult<IReadOnlyList<ApiKeyResponse>>> ListAsync(
        HttpRequest request, ApiKeyAuthenticator auth, IApiKeyStore store, CancellationToken cancellationToken)
    {
        var caller = await auth.AuthenticateAsync(request, bodyKey: null, cancellationToken);
        var all = await store.ListAsync(cancellationToken);
        IReadOnlyList<ApiKeyResponse> visible = [.. all.Where(k => caller.IsAdmin || k.Id == caller.KeyId).Select(ToResponse)];
        return TypedResults.Json(visible, CapsuleJsonContext.Wire.IReadOnlyListApiKeyResponse);
    }

    private static async Task<JsonHttpResult<ApiKeyResponse>> GetAsync(
        [FromRoute(Name = "key_id")] string keyId,
        HttpRequest request, ApiKeyAuthenticator auth, IApiKeyStore store, CancellationToken cancellationToken)
    {
        var caller = await auth.AuthenticateAsync(request, bodyKey: null, cancellationToken);
        var key = await FindVisibleAsync(store, keyId, caller, cancellationToken);
        return TypedResults.Json(ToResponse(key), CapsuleJsonContext.Wire.ApiKeyResponse);
    }

    private static async Task<JsonHttpResult<ApiKeyResponse>> UpdateAsync(
        [FromRoute(Name = "key_id")] string keyId,
        HttpRequest request, ApiKeyAuthenticator auth, IApiKeyStore store, CancellationToken cancellationToken)
    {
        using var document = await JsonBody.ReadObjectAsync(request, cancellationToken);
        var body = UpdateApiKeyRequest.Parse(document.RootElement);
        var caller = await auth.AuthenticateAsync(request, bodyKey: null, cancellationToken);
        var key = await FindVisibleAsync(store, keyId, caller, cancellationToken);

        await store.UpdateDescriptionAsync(key.Id, body.Description, cancellationToken);
        return TypedResults.Json(ToResponse(key with { Description = body.Description }), CapsuleJsonContext.Wire.ApiKeyResponse);
    }

    /// <summary>Idempotent: revoking a revoked key answers the same. The last active admin key cannot be revoked.</summary>
    private static async Task<JsonHttpResult<ApiKeyRevokedResponse>> RevokeAsync(
        [FromRoute(Name = "key_id")] string keyId,
        HttpRequest request, ApiKeyAuthenticator auth, IApiKeyStore store, ApiKeyService keys, CancellationToken cancellationToken)
    {
        var caller = await auth.AuthenticateAsync(request, bodyKey: null, cancellationToken);
        var key = await FindVisibleAsync(store, keyId, caller, cancellationToken);
        if (key is { IsAdmin: true, RevokedAt: null } && await store.CountActiveAdminsAsync(cancellationToken) <= 1)
        {
            throw new CapsuleException(ErrorCode.Conflict,
                "Cannot revoke the last admin API key; create another admin key first");
        }

        await keys.RevokeAsync(key.Id, cancellationToken);
        return TypedResults.Json(new ApiKeyRevokedResponse("revoked", key.Id), CapsuleJsonContext.Wire.ApiKeyRevokedResponse);
    }

    private static async Task<ApiKeyRecord> FindVisibleAsync(
        IApiKeyStore store, string keyId, Caller caller, CancellationToken cancellationToken)
    {
        var key = caller.IsAdmin || keyId == caller.KeyId ? await store.GetAsync(keyId, cancellationToken) : null;
        return key ?? throw new CapsuleException(ErrorCode.NotFound, NotFoundDetail);
    }

    private static ApiKeyResponse ToResponse(ApiKeyRecord key) =>
        new(key.Id, key.Description, key.IsAdmin, WireTime.Format(key.CreatedAt), WireTime.Format(key.RevokedAt), key.KeyPrefix);
}
