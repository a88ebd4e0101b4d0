using Capsule.Server.Store;

namespace Capsule.Server.Auth;

/// <summary>Creates and revokes API keys. The plain key leaves this class once, in the return value of create.</summary>
internal sealed partial class ApiKeyService(IApiKeyStore store, TimeProvider time, ILogger<ApiKeyService> logger)
{
    public async Task<(ApiKeyRecord Record, string Key)> CreateAsync(string description, bool isAdmin, CancellationToken cancellationToken)
    {
        var key = ApiKeyFormat.NewKey();
        var record = new ApiKeyRecord
        {
            Id = ApiKeyFormat.NewId(),
            KeyHash = ApiKeyFormat.Hash(key),
            KeyPrefix = ApiKeyFormat.Visible(key),
            Description = description,
            IsAdmin = isAdmin,
            CreatedAt = time.GetUtcNow(),
        };
        await store.InsertAsync(record, cancellationToken);
        LogCreated(logger, record.Id, isAdmin);
        return (record, key);
    }

    public async Task<bool> RevokeAsync(string keyId, CancellationToken cancellationToken)
    {
        var revoked = await store.RevokeAsync(keyId, time.GetUtcNow(), cancellationToken);
        if (revoked)
            LogRevoked(logger, keyId);
        return revoked;
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Created API key {KeyId} (admin: {IsAdmin})")]
    private static partial void LogCreated(ILogger logger, string keyId, bool isAdmin);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Revoked API key {KeyId}")]
    private static partial void LogRevoked(ILogger logger, string keyId);
}
