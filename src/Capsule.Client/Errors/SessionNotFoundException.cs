namespace Capsule.Client;

/// <summary>
/// The session does not exist or belongs to another key (the server does not tell these apart), or, from
/// <see cref="Session.KillAsync"/>, it has no VM to kill (it never ran code, or its VM already ended).
/// </summary>
public sealed class SessionNotFoundException : NotFoundException
{
    internal SessionNotFoundException(string sessionId, string detail)
        : base(detail)
    {
        SessionId = sessionId;
    }

    /// <summary>The session id the call was about.</summary>
    public string SessionId { get; }
}
