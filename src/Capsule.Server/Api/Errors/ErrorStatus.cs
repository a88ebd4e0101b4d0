namespace Capsule.Server.Api.Errors;

/// <summary>The one place that turns refusals into HTTP statuses and client-facing details.</summary>
internal static class ErrorStatus
{
    public static int For(ErrorCode code) => code switch
    {
        ErrorCode.InvalidArgument => StatusCodes.Status400BadRequest,
        ErrorCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        ErrorCode.PermissionDenied => StatusCodes.Status403Forbidden,
        ErrorCode.NotFound => StatusCodes.Status404NotFound,
        ErrorCode.Conflict => StatusCodes.Status409Conflict,
        ErrorCode.Validation => StatusCodes.Status422UnprocessableEntity,
        ErrorCode.RateLimited => StatusCodes.Status429TooManyRequests,
        ErrorCode.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorCode.Timeout => StatusCodes.Status504GatewayTimeout,
        ErrorCode.Gone => StatusCodes.Status410Gone,
        ErrorCode.BadGateway => StatusCodes.Status502BadGateway,
        ErrorCode.NotImplemented => StatusCodes.Status501NotImplemented,
        ErrorCode.Internal => StatusCodes.Status500InternalServerError,
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "Unknown error code"),
    };
}
