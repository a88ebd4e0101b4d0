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
    /// <summary>The thing asked for existed but is not running any more (a share whose session has no VM).</summary>
    Gone,
    /// <summary>A guest behind the apps proxy did not answer (nothing listens on the port, or it hung up).</summary>
    BadGateway,
    /// <summary>A valid request for something this server does not do yet (an egress policy that allows traffic).</summary>
    NotImplemented,
    Internal,
}
