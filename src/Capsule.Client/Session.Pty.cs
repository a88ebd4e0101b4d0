using System.Net.Http.Json;
using System.Net.WebSockets;
using Capsule.Client.Http;
using Capsule.Client.Wire;

namespace Capsule.Client;

public sealed partial class Session
{
    private string PtyPath => $"v1/sessions/{EscapedId}/pty/sessions";

    /// <summary>
    /// Starts a shell on a new pseudo terminal in the session's VM (booting the VM if it has none). Attach to it with
    /// <see cref="AttachPtyAsync"/> within the server's reattach grace (60 s by default), or it ends.
    /// </summary>
    /// <param name="options">Window size and shell; null for 80×24 and /bin/bash.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ValidationException">A size out of range, or a shell the server does not allow.</exception>
    public async Task<PtyInfo> CreatePtyAsync(PtyOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new PtyOptions();
        var body = new CreatePtyBody(options.Cols, options.Rows, options.Shell);
        var call = new ApiCall(HttpMethod.Post, PtyPath)
        {
            SessionId = Id,
            Content = () => JsonContent.Create(body, ClientJsonContext.Default.CreatePtyBody),
        };
        var reply = await Transport.SendJsonAsync(call, ClientJsonContext.Default.PtyReply, cancellationToken).ConfigureAwait(false);
        return reply.ToPty(Id);
    }

    /// <summary>The session's PTYs: running ones, and those that ended recently.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<PtyInfo>> ListPtysAsync(CancellationToken cancellationToken = default)
    {
        var replies = await Transport.SendJsonAsync(ApiCall.Get(PtyPath, Id), ClientJsonContext.Default.ListPtyReply, cancellationToken)
            .ConfigureAwait(false);
        return [.. replies.Select(r => r.ToPty(Id))];
    }

    /// <summary>One PTY.</summary>
    /// <param name="ptyId">Its id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NotFoundException">No such PTY in this session.</exception>
    public async Task<PtyInfo> GetPtyAsync(string ptyId, CancellationToken cancellationToken = default)
    {
        var reply = await Transport.SendJsonAsync(ApiCall.Get(PtyItemPath(ptyId), Id) with { NotFoundMayBeFile = true },
            ClientJsonContext.Default.PtyReply, cancellationToken).ConfigureAwait(false);
        return reply.ToPty(Id);
    }

    /// <summary>Kills the PTY's shell and everything it started; returns its final state.</summary>
    /// <param name="ptyId">Its id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NotFoundException">No such PTY in this session.</exception>
    public async Task<PtyInfo> DeletePtyAsync(string ptyId, CancellationToken cancellationToken = default)
    {
        var call = new ApiCall(HttpMethod.Delete, PtyItemPath(ptyId)) { SessionId = Id, NotFoundMayBeFile = true };
        var reply = await Transport.SendJsonAsync(call, ClientJsonContext.Default.PtyReply, cancellationToken).ConfigureAwait(false);
        return reply.ToPty(Id);
    }

    /// <summary>Sets a PTY's window size (its foreground job gets SIGWINCH).</summary>
    /// <param name="ptyId">Its id.</param>
    /// <param name="cols">Width in columns, 1 to 1000.</param>
    /// <param name="rows">Height in rows, 1 to 1000.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<PtyInfo> ResizePtyAsync(string ptyId, int cols, int rows, CancellationToken cancellationToken = default)
    {
        var body = new ResizePtyBody(cols, rows);
        var call = new ApiCall(HttpMethod.Post, PtyItemPath(ptyId) + "/resize")
        {
            SessionId = Id,
            NotFoundMayBeFile = true,
            Content = () => JsonContent.Create(body, ClientJsonContext.Default.ResizePtyBody),
        };
        var reply = await Transport.SendJsonAsync(call, ClientJsonContext.Default.PtyReply, cancellationToken).ConfigureAwait(false);
        return reply.ToPty(Id);
    }

    /// <summary>A short-lived, single-use token for the PTY's attach WebSocket (for a browser).</summary>
    /// <param name="ptyId">Its id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<PtyToken> CreatePtyTokenAsync(string ptyId, CancellationToken cancellationToken = default)
    {
        var call = new ApiCall(HttpMethod.Post, PtyItemPath(ptyId) + "/token") { SessionId = Id, NotFoundMayBeFile = true };
        var reply = await Transport.SendJsonAsync(call, ClientJsonContext.Default.PtyTokenReply, cancellationToken).ConfigureAwait(false);
        return reply.ToToken();
    }

    /// <summary>
    /// Attaches to the PTY's WebSocket (with this client's API key). Another attach takes over from this one; a dropped
    /// connection leaves the shell running for the server's reattach grace, so attaching again finds the same shell.
    /// </summary>
    /// <param name="ptyId">Its id.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <exception cref="NotFoundException">No such PTY in this session.</exception>
    /// <exception cref="CapsuleApiException">The PTY has exited (410), or the server refused the upgrade.</exception>
    public async Task<PtyConnection> AttachPtyAsync(string ptyId, CancellationToken cancellationToken = default)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (Transport.ApiKey is { } key)
            socket.Options.SetRequestHeader(ApiTransport.ApiKeyHeader, key);
        var http = new Uri(Transport.BaseUrl, PtyItemPath(ptyId) + "/attach");
        var uri = new UriBuilder(http) { Scheme = http.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" }.Uri;
        try
        {
            await socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException e)
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            if (status == 0)
                throw new CapsuleConnectionException($"Cannot reach {Transport.BaseUrl} for the PTY's WebSocket: {e.Message}", e);
            // The upgrade's answer carries no body here: ask again over plain HTTP for the typed error and its detail.
            await GetPtyAsync(ptyId, cancellationToken).ConfigureAwait(false);
            throw new CapsuleApiException(status, status == System.Net.HttpStatusCode.Gone ? $"PTY {ptyId} has exited" : e.Message, e);
        }
        return new PtyConnection(socket);
    }

    private string PtyItemPath(string ptyId) => $"{PtyPath}/{Uri.EscapeDataString(ptyId)}";
}
