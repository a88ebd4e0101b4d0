using System.Net;

namespace Capsule.Client;

/// <summary>
/// The API key is missing, unknown or revoked (401), or it may not do what was asked (403: e.g. a non-admin key
/// managing other keys).
/// </summary>
public sealed class AuthenticationException : CapsuleApiException
{
    internal AuthenticationException(HttpStatusCode statusCode, string detail)
        : base(statusCode, detail)
    {
    }
}
