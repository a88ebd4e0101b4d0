using Capsule.Server.Api.Errors;
using Capsule.Server.Dashboard;
using Capsule.Server.RateLimiting;
using Capsule.Server.Store;
using Microsoft.Net.Http.Headers;

namespace Capsule.Server.Auth;

/// <summary>
/// Finds the caller's key: the <c>X-API-Key</c> header, else <c>Authorization: Bearer</c>, else the body's
/// <c>api_key</c>, else a dashboard sign-in (its cookie and CSRF header, <see cref="DashboardCredential"/>). A missing,
/// unknown or revoked key is refused with InstaVM's 401 detail; a known key over its rate limit with 429.
/// </summary>
internal sealed partial class ApiKeyAuthenticator(
    IApiKeyStore store, KeyRateLimiter rateLimiter, DashboardSignins signins, ILogger<ApiKeyAuthenticator> logger)
{
    public const string HeaderName = "X-API-Key";
    private const string Refusal = "Invalid API key or session expired";

    /// <param name="request">Supplies the headers.</param>
    /// <param name="bodyKey">The <c>api_key</c> from the JSON body or form, if any.</param>
    /// <param name="cancellationToken">Cancels the store lookup.</param>
    public Task<Caller> AuthenticateAsync(HttpRequest request, string? bodyKey, CancellationToken cancellationToken)
    {
        var key = FromHeaders(request) ?? bodyKey;
        if (string.IsNullOrEmpty(key) && DashboardCredential.SigninOf(request, signins) is { } signin)
            return AuthenticateHashAsync(signin.KeyHash, cancellationToken);
        return AuthenticateKeyAsync(key, cancellationToken);
    }

    /// <summary>Authenticates exactly this key (e.g. the body <c>api_key</c> that create requires).</summary>
    public Task<Caller> AuthenticateKeyAsync(string? key, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(key))
        {
            LogNoKey(logger);
            throw new CapsuleException(ErrorCode.Unauthenticated, Refusal);
        }
        return AuthenticateHashAsync(ApiKeyFormat.Hash(key), cancellationToken);
    }

    /// <summary>The dashboard's sign-in, when the request has one (cookie and matching CSRF header); else null.</summary>
    public DashboardSignin? DashboardSigninOf(HttpRequest request) => DashboardCredential.SigninOf(request, signins);

    /// <summary>True when the request carries a credential without its body: a key header or a dashboard sign-in.</summary>
    public bool HasRequestCredential(HttpRequest request) => HasHeaderKey(request) || DashboardSigninOf(request) is not null;

    /// <summary>The caller behind a dashboard sign-in: its key is checked again (revoked keys end their sign-ins).</summary>
    public Task<Caller> AuthenticateSigninAsync(DashboardSignin signin, CancellationToken cancellationToken) =>
        AuthenticateHashAsync(signin.KeyHash, cancellationToken);

    private async Task<Caller> AuthenticateHashAsync(string hash, CancellationToken cancellationToken)
    {
        var record = await store.FindByHashAsync(hash, cancellationToken);
        // The lookup found the row by hash; the final decision is a constant-time compare (see KeyHashComparer).
        if (record is null || !KeyHashComparer.HashesEqual(record.KeyHash, hash))
        {
            LogUnknownKey(logger);
            throw new CapsuleException(ErrorCode.Unauthenticated, Refusal);
        }
        if (record.RevokedAt is not null)
        {
            LogRevokedKey(logger, record.Id);
            throw new CapsuleException(ErrorCode.Unauthenticated, Refusal);
        }
        rateLimiter.Acquire(record.Id);
        return new Caller(record.Id, record.IsAdmin);
    }

    /// <summary>
    /// The caller when the request carries a key (header or <paramref name="bodyKey"/>), else null. For read-only views
    /// that also answer without a key; a key that is present must still be valid.
    /// </summary>
    public async Task<Caller?> AuthenticateIfPresentAsync(HttpRequest request, string? bodyKey, CancellationToken cancellationToken)
    {
        var key = FromHeaders(request) ?? bodyKey;
        return string.IsNullOrEmpty(key) ? null : await AuthenticateKeyAsync(key, cancellationToken);
    }

    /// <summary>True when the request carries a key in a header (so a form need not be read to find one).</summary>
    public static bool HasHeaderKey(HttpRequest request) => FromHeaders(request) is not null;

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
