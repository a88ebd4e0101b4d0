using Capsule.Vm;

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
        ErrorCode.Internal => StatusCodes.Status500InternalServerError,
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "Unknown error code"),
    };

    /// <summary>Translates a refusal from the VM layer into the API's terms.</summary>
    public static CapsuleException From(MachineException exception) => exception.Code switch
    {
        MachineErrorCode.CapacityExhausted => new(ErrorCode.Unavailable,
            $"No capacity for another VM on this host ({exception.Message}); try again later"),
        MachineErrorCode.StartFailed => new(ErrorCode.Unavailable,
            $"The VM could not be started: {exception.Message}"),
        MachineErrorCode.ImageMissing => new(ErrorCode.Unavailable,
            $"The guest image is not available on this host: {exception.Message}"),
        MachineErrorCode.MachineGone => new(ErrorCode.Unavailable,
            "The session's VM is gone (it crashed or was destroyed); retry to get a fresh VM"),
        MachineErrorCode.FileNotFound => new(ErrorCode.NotFound, $"File not found: {exception.Message}"),
        MachineErrorCode.IsDirectory => new(ErrorCode.InvalidArgument, $"Path is a directory: {exception.Message}"),
        MachineErrorCode.InvalidPath => new(ErrorCode.InvalidArgument, $"Invalid path: {exception.Message}"),
        _ => throw new ArgumentOutOfRangeException(nameof(exception), exception.Code, "Unknown machine error code"),
    };
}
