namespace Capsule.Server.Api.Responses;

/// <summary><c>POST /v1/api-keys/</c> → 201. The only time <c>api_key</c> is ever shown.</summary>
internal sealed record ApiKeyCreatedResponse(string Id, string ApiKey, string Description, bool IsAdmin, string CreatedAt);

/// <summary>A key as listed: never the key itself, only its first characters.</summary>
internal sealed record ApiKeyResponse(string Id, string Description, bool IsAdmin, string CreatedAt, string? RevokedAt, string KeyPrefix);

/// <summary><c>DELETE /v1/api-keys/{id}</c> → <c>{"status": "revoked", "id": "..."}</c>.</summary>
internal sealed record ApiKeyRevokedResponse(string Status, string Id);
