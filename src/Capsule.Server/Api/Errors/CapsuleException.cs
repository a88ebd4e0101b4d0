using Capsule.Server.Api.Validation;

namespace Capsule.Server.Api.Errors;

/// <summary>
/// The one exception a request handler throws to refuse a request. <see cref="Code"/> decides the status;
/// the message is the client-facing <c>detail</c>, so it must never carry secrets.
/// </summary>
internal sealed class CapsuleException : Exception
{
    public CapsuleException(ErrorCode code, string message)
        : base(message)
    {
        Code = code;
        ValidationErrors = [];
    }

    private CapsuleException(IReadOnlyList<ValidationError> errors)
        : base("Request validation failed")
    {
        Code = ErrorCode.Validation;
        ValidationErrors = errors;
    }

    public ErrorCode Code { get; }

    /// <summary>When to try again (sent as <c>Retry-After</c>); only for <see cref="ErrorCode.RateLimited"/>.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Every problem found in the request (only for <see cref="ErrorCode.Validation"/>).</summary>
    public IReadOnlyList<ValidationError> ValidationErrors { get; }

    public static CapsuleException Validation(IReadOnlyList<ValidationError> errors) => new(errors);

    public static CapsuleException Validation(ValidationError error) => new([error]);
}
