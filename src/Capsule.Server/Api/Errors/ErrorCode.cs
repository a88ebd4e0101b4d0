namespace Capsule.Server.Api.Errors;

/// <summary>
/// Why a request was refused. Each code has exactly one HTTP status (<see cref="ErrorStatus"/>);
/// modelled on containerd's errdefs.
/// </summary>
internal enum ErrorCode
{
    InvalidArgument,
    Unauthenticated,
    PermissionDenied,
    NotFound,
    Conflict,
    /// <summary>The body failed validation; carries a FastAPI-style list of problems.</summary>
    Validation,
    /// <summary>Too many requests for one API key; carries a retry delay.</summary>
    RateLimited,
    PayloadTooLarge,
    Unavailable,
    Timeout,
    Internal,
}
