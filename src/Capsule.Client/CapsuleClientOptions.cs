using System.Text;

namespace Capsule.Client;

/// <summary>How a <see cref="CapsuleClient"/> reaches its server. Every value may be left unset.</summary>
public sealed record CapsuleClientOptions
{
    /// <summary>The default server, as <c>make run</c> serves it.</summary>
    public static readonly Uri DefaultBaseUrl = new("http://127.0.0.1:8080/");

    /// <summary>
    /// The server's base URL. When null: <see cref="HttpClient"/>'s <c>BaseAddress</c>, else the <c>CAPSULE_URL</c>
    /// environment variable, else <see cref="DefaultBaseUrl"/>.
    /// </summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>
    /// The API key sent as <c>X-API-Key</c> (and as <c>api_key</c> in the create body, where InstaVM requires it).
    /// When null: the <c>CAPSULE_API_KEY</c> environment variable. An empty string sends no key at all.
    /// </summary>
    public string? ApiKey { get; init; }

    /// <summary>
    /// The <see cref="System.Net.Http.HttpClient"/> to send with; the client does not dispose it. When null the client
    /// makes its own, with a 15-minute timeout (an execution may run 10 minutes after a VM boot).
    /// </summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>
    /// Further attempts for calls that only read, after a refused or dropped connection or a 502/503/504.
    /// Calls that change state (create, execute, upload, kill, key changes) are never retried. Default 3.
    /// </summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>The wait before the first retry; each further retry waits twice as long. Default 250 ms.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    // ToString (and so logs) never shows the key.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("BaseUrl = ").Append(BaseUrl).Append(", ApiKey = ").Append(ApiKey is null ? "(none)" : "***")
            .Append(", MaxRetries = ").Append(MaxRetries).Append(", RetryDelay = ").Append(RetryDelay);
        return true;
    }
}
