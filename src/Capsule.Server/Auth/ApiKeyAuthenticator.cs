using Capsule.Server.Api.Errors;
using Capsule.Server.Store;
using Microsoft.Net.Http.Headers;

namespace Capsule.Server.Auth;

/// <summary>
/// Finds the caller's key: the <c>X-API-Key</c> header, else <c>Authorization: Bearer</c>, else the body's
/// <c>api_key</c>. A missing, unknown or revoked key is refused with InstaVM's 401 detail.
/// </summary>
internal sealed partial class ApiKeyAuthenticator(IApiKeyStore store, ILogger<ApiKeyAuthenticator> logger)
{
    public const string HeaderName = "X-API-Key";
    private const string Refusal = "Invalid API key or session expired";

    /// <param name="request">Supplies the headers.</param>
    /// <param name="bodyKey">The <c>api_key</c> from the JSON body or form, if any.</param>
    /// <param name="cancellationToken">Cancels the store lookup.</param>
    public Task<Caller> AuthenticateAsync(HttpRequest request, string? bodyKey, CancellationToken cancellationToken) =>
        AuthenticateKeyAsync(FromHeaders(request) ?? bodyKey, cancellationToken);

    /// <summary>Authenticates exactly this key (e.g. the body <c>api_key</c> that create requires).</summary>
    public async Task<Caller> AuthenticateKeyAsync(string? key, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(key))
        {
            LogNoKey(logger);
            throw new CapsuleException(ErrorCode.Unauthenticated, Refusal);
        }
        var record = await store.FindByHashAsync(ApiKeyFormat.Hash(key), cancellationToken);
        if (record is null)
        {
            LogUnknownKey(logger);
            throw new CapsuleException(ErrorCode.Unauthenticated, Refusal);
        }
        if (record.RevokedAt is not null)
        {
            LogRevokedKey(logger, record.Id);
            throw new CapsuleException(ErrorCode.Unauthenticated, Refusal);
        }
        return new Caller(record.Id, record.IsAdmin);
    }

    private static string? FromHeaders(HttpRequest request)
    {
        var header = request.Headers[HeaderName].ToString();
        if (header.Length > 0)
            return header.Trim();
        var authorization = request.Headers[HeaderNames.Authorization].ToString();
        const string bearer = "Bearer ";
        if (authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase))
            return authorization[bearer.Length..].Trim();
        return null;
    }

    [LoggerMessage(EventId = 210, Level = LogLevel.Information, Message = "Request without an API key refused")]
    private static partial void LogNoKey(ILogger logger);

    [LoggerMessage(EventId = 211, Level = LogLevel.Information, Message = "Request with an unknown API key refused")]
    private static partial void LogUnknownKey(ILogger logger);

    [LoggerMessage(EventId = 212, Level = LogLevel.Information, Message = "Request with revoked API key {KeyId} refused")]
    private static partial void LogRevokedKey(ILogger logger, string keyId);
}
