namespace Capsule.Client;

/// <summary>
/// The server could not be reached or stopped answering (connection refused or reset, DNS failure, HTTP timeout),
/// after the retries the call allowed. <see cref="Exception.InnerException"/> holds the transport error.
/// </summary>
public sealed class CapsuleConnectionException : CapsuleApiException
{
    internal CapsuleConnectionException(string detail, Exception innerException)
        : base(null, detail, innerException)
    {
    }
}
