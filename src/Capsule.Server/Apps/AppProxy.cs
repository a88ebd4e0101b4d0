using Capsule.Server.Api.Errors;
using Capsule.Server.Auth;
using Capsule.Server.Sessions;
using Capsule.Server.Store;
using Yarp.ReverseProxy.Forwarder;

namespace Capsule.Server.Apps;

/// <summary>
/// Serves the apps origin: <c>/&lt;share id&gt;/&lt;path&gt;</c> goes to that share's guest port through YARP's forwarder.
/// 1. The share must exist and not be revoked (404 otherwise, the same for another key's private share).
/// 2. A private share needs its owner's key in <c>X-API-Key</c> or <c>Authorization: Bearer</c> (401 without).
/// 3. The session must have a running VM (410 otherwise) with a network slot (503 on a host without networking).
/// 4. The request goes to the slot's address and the share's port (the slot forwards it to the guest) with Capsule's
///    own credentials removed; HTTP/1.1, streaming both ways, WebSocket upgrades. Nothing answering is a 502.
/// </summary>
internal sealed partial class AppProxy(
    IHttpForwarder forwarder, IShareStore shares, SessionRegistry registry, ApiKeyAuthenticator auth, ILogger<AppProxy> logger)
{
    private static readonly ForwarderRequestConfig RequestConfig = new() { ActivityTimeout = TimeSpan.FromSeconds(100) };

    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        ActivityHeadersPropagator = null,
    });

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var rest = path.AsSpan().TrimStart('/');
        var slash = rest.IndexOf('/');
        var shareId = (slash < 0 ? rest : rest[..slash]).ToString();
        if (!ShareIds.IsWellFormed(shareId))
            throw new CapsuleException(ErrorCode.NotFound, "Share not found");
        if (slash < 0)
        {
            // Relative links in the guest's pages resolve under the share's folder.
            context.Response.Redirect($"/{shareId}/{context.Request.QueryString}", permanent: true, preserveMethod: true);
            return;
        }

        var cancellationToken = context.RequestAborted;
        var share = await shares.GetAsync(shareId, cancellationToken);
        if (share is null || share.RevokedAt is not null)
            throw new CapsuleException(ErrorCode.NotFound, "Share not found");
        if (!share.IsPublic)
        {
            var caller = await auth.AuthenticateIfPresentAsync(context.Request, bodyKey: null, cancellationToken)
                ?? throw new CapsuleException(ErrorCode.Unauthenticated, "This share is private: send its owner's API key in X-API-Key");
            if (caller.KeyId != share.ApiKeyId)
                throw new CapsuleException(ErrorCode.NotFound, "Share not found");
        }
        var actor = await registry.FindAnyAsync(share.SessionId, cancellationToken);
        if (actor is null || !actor.HasRunningMachine)
            throw new CapsuleException(ErrorCode.Gone, "The VM behind this share is not running; run code in its session to start one");
        var endpoint = actor.AppEndpoint
            ?? throw new CapsuleException(ErrorCode.Unavailable, "Guest networking is off on this host, so guest ports cannot be reached");

        context.Request.Path = path[(shareId.Length + 1)..];
        var error = await forwarder.SendAsync(context, $"http://{endpoint}:{share.Port}/", _client, RequestConfig, StripCredentials.Instance);
        if (error == ForwarderError.None)
            return;
        LogForwardFailed(logger, share.ShareId, share.Port, error);
        if (!context.Response.HasStarted)
        {
            context.Response.Clear();
            throw error is ForwarderError.RequestTimedOut
                ? new CapsuleException(ErrorCode.Timeout, $"The VM did not answer on port {share.Port} in time")
                : new CapsuleException(ErrorCode.BadGateway, $"Nothing answered on port {share.Port} in the VM");
        }
    }

    /// <summary>Capsule's credentials never reach the guest.</summary>
    private sealed class StripCredentials : HttpTransformer
    {
        public static readonly StripCredentials Instance = new();

        public override async ValueTask TransformRequestAsync(
            HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            proxyRequest.Headers.Remove(ApiKeyAuthenticator.HeaderName);
            proxyRequest.Headers.Authorization = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Share {ShareId}: forwarding to guest port {Port} failed ({Error})")]
    private static partial void LogForwardFailed(ILogger logger, string shareId, int port, ForwarderError error);
}
