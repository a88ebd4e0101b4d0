namespace Capsule.Client.Http;

/// <summary>One HTTP call as the transport sends it, possibly several times.</summary>
internal sealed record ApiCall(HttpMethod Method, string Path)
{
    /// <summary>Builds the body afresh for each attempt (a sent body is disposed with its request); null for none.</summary>
    public Func<HttpContent>? Content { get; init; }

    /// <summary>
    /// True for calls that only read (GET, download): only these are retried after a connection failure or a
    /// 502/503/504, since a create or an execute might have happened before the failure.
    /// </summary>
    public bool Idempotent { get; init; }

    /// <summary>The session the call is about: a 404 then means <see cref="SessionNotFoundException"/>.</summary>
    public string? SessionId { get; init; }

    /// <summary>A 404 may also mean a missing guest file (download): only the session detail maps to the session.</summary>
    public bool NotFoundMayBeFile { get; init; }

    /// <summary>The media type to ask for; JSON when null.</summary>
    public string? Accept { get; init; }

    public static ApiCall Get(string path, string? sessionId = null) =>
        new(HttpMethod.Get, path) { Idempotent = true, SessionId = sessionId };
}
