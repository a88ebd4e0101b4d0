using Microsoft.AspNetCore.Diagnostics;

namespace Capsule.Server.Api.Errors;

/// <summary>
/// The single translation point from exceptions to responses. Refusals (<see cref="CapsuleException"/>; the VM layer's
/// are translated into them once, in Sessions) become their status with a <c>detail</c>; anything else is a bug:
/// logged in full, answered with a bare 500 that never carries a stack trace.
/// </summary>
internal sealed partial class CapsuleExceptionHandler(ILogger<CapsuleExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var response = httpContext.Response;
        switch (exception)
        {
            case CapsuleException { Code: ErrorCode.Validation } validation:
                await ErrorResponseWriter.WriteValidationAsync(response, validation.ValidationErrors, cancellationToken);
                return true;
            case CapsuleException refusal:
                var status = ErrorStatus.For(refusal.Code);
                if (refusal.RetryAfter is { } retryAfter)
                {
                    response.Headers.RetryAfter =
                        Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                LogRefused(logger, status, refusal.Message);
                await ErrorResponseWriter.WriteDetailAsync(response, status, refusal.Message, cancellationToken);
                return true;
            case BadHttpRequestException bad:
                await ErrorResponseWriter.WriteDetailAsync(response, bad.StatusCode, bad.Message, cancellationToken);
                return true;
            default:
                LogUnhandled(logger, httpContext.Request.Method, httpContext.Request.Path, exception);
                await ErrorResponseWriter.WriteDetailAsync(
                    response, StatusCodes.Status500InternalServerError, "Internal server error", cancellationToken);
                return true;
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Request refused with {Status}: {Detail}")]
    private static partial void LogRefused(ILogger logger, int status, string detail);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Unhandled exception in {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, PathString path, Exception exception);
}
