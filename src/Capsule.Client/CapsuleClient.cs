using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Capsule.Client.Http;
using Capsule.Client.Wire;

namespace Capsule.Client;

/// <summary>
/// The entry point to a Capsule server: creates and finds sessions, lists them, reads background executions,
/// manages API keys (<see cref="ApiKeys"/>) and shares (<see cref="Shares"/>) and checks health. Thread-safe; make one and share it.
/// </summary>
/// <example>
/// <code>
/// using var client = new CapsuleClient(new Uri("http://127.0.0.1:8080"), apiKey);
/// await using var session = await client.CreateSessionAsync();
/// var result = await session.ExecuteAsync("print(6 * 7)");
/// Console.Write(result.Stdout); // 42
/// </code>
/// </example>
public sealed class CapsuleClient : IDisposable
{
    /// <summary>Where the API key is read from when none is given.</summary>
    public const string ApiKeyVariable = "CAPSULE_API_KEY";

    /// <summary>Where the base URL is read from when none is given.</summary>
    public const string UrlVariable = "CAPSULE_URL";

    private readonly HttpClient? _ownedHttpClient;

    /// <summary>A client for <paramref name="baseUrl"/> with <paramref name="apiKey"/> (or <c>CAPSULE_API_KEY</c> when null).</summary>
    /// <param name="baseUrl">The server, e.g. <c>http://127.0.0.1:8080</c>.</param>
    /// <param name="apiKey">The API key; null reads <c>CAPSULE_API_KEY</c>.</param>
    /// <param name="httpClient">An <see cref="System.Net.Http.HttpClient"/> to send with (not disposed by this client).</param>
    public CapsuleClient(Uri baseUrl, string? apiKey = null, HttpClient? httpClient = null)
        : this(new CapsuleClientOptions { BaseUrl = baseUrl, ApiKey = apiKey, HttpClient = httpClient })
    {
    }

    /// <summary>A client configured by <paramref name="options"/>; with none, from the environment and defaults.</summary>
    /// <param name="options">Base URL, API key, HTTP client and retry settings.</param>
    public CapsuleClient(CapsuleClientOptions? options = null)
    {
        options ??= new CapsuleClientOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetries, nameof(options.MaxRetries));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RetryDelay, TimeSpan.Zero, nameof(options.RetryDelay));

        var http = options.HttpClient;
        if (http is null)
        {
            _ownedHttpClient = new HttpClient { Timeout = TimeSpan.FromMinutes(15) };
            http = _ownedHttpClient;
        }
        var baseUrl = options.BaseUrl
            ?? http.BaseAddress
            ?? (Environment.GetEnvironmentVariable(UrlVariable) is { Length: > 0 } url ? new Uri(url) : CapsuleClientOptions.DefaultBaseUrl);
        var apiKey = options.ApiKey ?? (Environment.GetEnvironmentVariable(ApiKeyVariable) is { Length: > 0 } key ? key : null);
        Transport = new ApiTransport(http, WithTrailingSlash(baseUrl), apiKey, new RetryPolicy(options.MaxRetries, options.RetryDelay));
        ApiKeys = new ApiKeyClient(Transport);
        Shares = new ShareClient(Transport);
    }

    /// <summary>The server this client talks to (always ending in <c>/</c>).</summary>
    public Uri BaseUrl => Transport.BaseUrl;

    /// <summary>Creates, lists, renames and revokes API keys.</summary>
    public ApiKeyClient ApiKeys { get; }

    /// <summary>Creates, lists, changes and revokes shares (guest ports at URLs), and makes browser tokens for them.</summary>
    public ShareClient Shares { get; }

    internal ApiTransport Transport { get; }

    /// <summary>Creates a session. Its VM boots on the first execution, or at once when env vars are given.</summary>
    /// <param name="options">Lifetime, memory, vCPUs, metadata and env; null for the server's defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The session; disposing it kills its VM.</returns>
    /// <exception cref="AuthenticationException">No API key, or an unknown or revoked one.</exception>
    /// <exception cref="ValidationException">A value is out of range (e.g. memory not even).</exception>
    public async Task<Session> CreateSessionAsync(SessionOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SessionOptions();
        var body = new CreateSessionBody(
            string.IsNullOrEmpty(Transport.ApiKey) ? null : Transport.ApiKey,
            options.Lifetime is { } lifetime ? WireValues.WholeSeconds(lifetime) : null,
            options.MemoryMb,
            options.VcpuCount,
            options.Metadata,
            options.Env);
        var call = new ApiCall(HttpMethod.Post, "v1/sessions/session")
        {
            Content = () => JsonContent.Create(body, ClientJsonContext.Default.CreateSessionBody),
        };
        var reply = await Transport.SendJsonAsync(call, ClientJsonContext.Default.CreateSessionReply, cancellationToken).ConfigureAwait(false);
        return new Session(this, reply.SessionId
            ?? throw new CapsuleApiException(System.Net.HttpStatusCode.OK, "The server created a session but sent no session_id"));
    }

    /// <summary>A handle on an existing session, e.g. one created by another process. Makes no call.</summary>
    /// <param name="sessionId">The session id.</param>
    public Session GetSession(string sessionId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        return new Session(this, sessionId);
    }

    /// <summary>Lists the caller's sessions, optionally only those whose metadata contains every given pair.</summary>
    /// <param name="metadata">Pairs the session's metadata must contain; null or empty for all sessions.</param>
    /// <param name="limit">At most this many (1 to 1000).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<SandboxInfo>> ListAsync(
        IReadOnlyDictionary<string, string>? metadata = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        var query = "v1/sessions/sandboxes?limit=" + limit.ToString(CultureInfo.InvariantCulture);
        if (metadata is { Count: > 0 })
        {
            var json = JsonSerializer.Serialize(new Dictionary<string, string>(metadata), ClientJsonContext.Default.DictionaryStringString);
            query += "&metadata=" + Uri.EscapeDataString(json);
        }
        var reply = await Transport.SendJsonAsync(ApiCall.Get(query), ClientJsonContext.Default.ListSandboxReply, cancellationToken)
            .ConfigureAwait(false);
        return [.. reply.Select(WireMapping.ToSandbox)];
    }

    /// <summary>Reads a background execution started with <see cref="Session.ExecuteAsyncTask"/>.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NotFoundException">No such task for this key.</exception>
    public async Task<ExecutionTask> GetExecutionAsync(string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(taskId);
        var reply = await Transport.SendJsonAsync(
            ApiCall.Get("v1/executions/" + Uri.EscapeDataString(taskId)), ClientJsonContext.Default.ExecutionReply, cancellationToken)
            .ConfigureAwait(false);
        return reply.ToTask();
    }

    /// <summary>Polls a background execution until it is complete.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="pollInterval">The wait between polls; null for 500 ms.</param>
    /// <param name="cancellationToken">Stops waiting (the execution goes on).</param>
    public async Task<ExecutionTask> WaitForExecutionAsync(
        string taskId, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        var interval = pollInterval ?? TimeSpan.FromMilliseconds(500);
        while (true)
        {
            var task = await GetExecutionAsync(taskId, cancellationToken).ConfigureAwait(false);
            if (task.IsComplete)
                return task;
            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Lists the caller's executions, newest first.</summary>
    /// <param name="limit">Page size, 1 to 1000.</param>
    /// <param name="offset">How many to skip.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<ExecutionPage> ListExecutionsAsync(int limit = 100, int offset = 0, CancellationToken cancellationToken = default)
    {
        var path = string.Create(CultureInfo.InvariantCulture, $"v1/executions/?limit={limit}&offset={offset}");
        var reply = await Transport.SendJsonAsync(ApiCall.Get(path), ClientJsonContext.Default.ExecutionListReply, cancellationToken)
            .ConfigureAwait(false);
        return reply.ToPage();
    }

    /// <summary>Checks that the server is up and which accelerator its VMs use. Needs no API key.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<HealthInfo> GetHealthAsync(CancellationToken cancellationToken = default)
    {
        var reply = await Transport.SendJsonAsync(ApiCall.Get("health"), ClientJsonContext.Default.HealthReply, cancellationToken)
            .ConfigureAwait(false);
        return reply.ToHealth();
    }

    /// <summary>Disposes the HTTP client this client made for itself (never one that was passed in).</summary>
    public void Dispose() => _ownedHttpClient?.Dispose();

    private static Uri WithTrailingSlash(Uri url) =>
        url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
}
