using System.Net.Http.Json;
using Capsule.Client.Http;
using Capsule.Client.Wire;

namespace Capsule.Client;

/// <summary>
/// One session: a VM (booted on first use) that keeps Python state, the bash working directory and files between
/// executions. Disposing it kills its VM; the session record stays and a later execution boots a fresh VM.
/// </summary>
public sealed partial class Session : IAsyncDisposable
{
    private readonly CapsuleClient _client;

    internal Session(CapsuleClient client, string id)
    {
        _client = client;
        Id = id;
    }

    /// <summary>The session id (a UUID).</summary>
    public string Id { get; }

    private ApiTransport Transport => _client.Transport;

    private string EscapedId => Uri.EscapeDataString(Id);

    /// <summary>Whether the VM is alive, its id, uptime and time left.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="SessionNotFoundException">The session does not exist for this key.</exception>
    public async Task<SessionStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        var reply = await Transport.SendJsonAsync(
            ApiCall.Get("v1/sessions/status/" + EscapedId, Id), ClientJsonContext.Default.StatusReply, cancellationToken).ConfigureAwait(false);
        return reply.ToStatus(Id);
    }

    /// <summary>The session's shape (vCPUs, memory, lifetime, metadata) and history (times, end reason).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="SessionNotFoundException">The session does not exist for this key.</exception>
    public async Task<SessionInfo> GetInfoAsync(CancellationToken cancellationToken = default)
    {
        var reply = await Transport.SendJsonAsync(
            ApiCall.Get("v1/sessions/session/" + EscapedId, Id), ClientJsonContext.Default.SessionReply, cancellationToken).ConfigureAwait(false);
        return reply.ToInfo(Id);
    }

    /// <summary>CPU time, memory and execution count used by the session.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="SessionNotFoundException">The session does not exist.</exception>
    public async Task<SessionUsage> GetUsageAsync(CancellationToken cancellationToken = default)
    {
        var reply = await Transport.SendJsonAsync(
            ApiCall.Get("v1/sessions/usage/" + EscapedId, Id), ClientJsonContext.Default.UsageReply, cancellationToken).ConfigureAwait(false);
        return reply.ToUsage(Id);
    }

    /// <summary>
    /// The URL at which guest port <paramref name="port"/> of this session is served (a private share: send the API key
    /// in <c>X-API-Key</c>); the same URL every time for the same port.
    /// </summary>
    /// <param name="port">A guest TCP port, 1 to 65535.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<AppUrl> GetAppUrlAsync(int port = 80, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        var reply = await Transport.SendJsonAsync(
            ApiCall.Get($"v1/sessions/app-url/{EscapedId}?port={port.ToString(System.Globalization.CultureInfo.InvariantCulture)}", Id),
            ClientJsonContext.Default.AppUrlReply, cancellationToken).ConfigureAwait(false);
        return reply.ToAppUrl(Id, port);
    }

    /// <summary>Makes the VM expire <paramref name="lifetime"/> from now (at most 24 h after it was spawned).</summary>
    /// <param name="lifetime">Time from now; sent in whole seconds, rounded up.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The status after the change.</returns>
    /// <exception cref="ValidationException">The new expiry would pass the 24 h cap.</exception>
    public async Task<SessionStatus> ExtendAsync(TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        var body = new ExtendBody(WireValues.WholeSeconds(lifetime));
        var call = new ApiCall(HttpMethod.Post, $"v1/sessions/{EscapedId}/extend")
        {
            SessionId = Id,
            Content = () => JsonContent.Create(body, ClientJsonContext.Default.ExtendBody),
        };
        var reply = await Transport.SendJsonAsync(call, ClientJsonContext.Default.StatusReply, cancellationToken).ConfigureAwait(false);
        return reply.ToStatus(Id);
    }

    /// <summary>Destroys the session's VM now.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="SessionNotFoundException">Unknown session, or it has no VM (never ran code, or already ended).</exception>
    public async Task<KillResult> KillAsync(CancellationToken cancellationToken = default)
    {
        var body = new KillBody(Id);
        var call = new ApiCall(HttpMethod.Post, "kill")
        {
            SessionId = Id,
            Content = () => JsonContent.Create(body, ClientJsonContext.Default.KillBody),
        };
        var reply = await Transport.SendJsonAsync(call, ClientJsonContext.Default.KillReply, cancellationToken).ConfigureAwait(false);
        return reply.ToKill(Id);
    }

    /// <summary>
    /// Kills the VM if one runs. Never throws for a server refusal (e.g. there was no VM) or an unreachable server:
    /// disposal is best effort, bounded by the HTTP client's timeout.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (CapsuleApiException)
        {
            // No VM to kill, or nobody to tell: either way nothing is left for this handle to release.
        }
    }

    /// <inheritdoc />
    public override string ToString() => Id;
}
