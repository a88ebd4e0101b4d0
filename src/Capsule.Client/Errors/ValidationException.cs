using System.Net;

namespace Capsule.Client;

/// <summary>The request broke the API's rules (422): <see cref="Errors"/> lists every problem, as FastAPI reports them.</summary>
public sealed class ValidationException : CapsuleApiException
{
    internal ValidationException(IReadOnlyList<ValidationError> errors)
        : base(HttpStatusCode.UnprocessableEntity, Describe(errors))
    {
        Errors = errors;
    }

    /// <summary>Each problem the server found, in the order it reported them.</summary>
    public IReadOnlyList<ValidationError> Errors { get; }

    private static string Describe(IReadOnlyList<ValidationError> errors) =>
        errors.Count == 0
            ? "Validation failed"
            : string.Join("; ", errors.Select(e => e.Location.Count == 0 ? e.Message : $"{string.Join('.', e.Location)}: {e.Message}"));
}
