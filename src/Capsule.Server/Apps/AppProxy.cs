using Capsule.Server.Api.Errors;
using Capsule.Server.Sessions;
using Capsule.Server.Store;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace Capsule.Server.Apps;

/// <summary>
/// Serves the apps origin: a request for a share (<see cref="ShareRoute"/>: <c>/&lt;share id&gt;/&lt;path&gt;</c>, or
/// <c>&lt;share id&gt;.&lt;domain&gt;/&lt;path&gt;</c> when <c>Capsule:Shares:Domain</c> is set) goes to that share's
/// guest port through YARP's forwarder.
/// 1. The share must exist and not be revoked (404 otherwise, the same for another key's private share).
/// 2. A request carrying a share token is answered by the token exchange (cookie and redirect), never forwarded.
/// 3. A private share needs its owner's key or a browser session cookie for it (<see cref="ShareAuthorizer"/>; 401 without).
/// 4. The session must have a running VM (410 otherwise) with a network slot (503 on a host without networking).
/// 5. The request goes to the slot's address and the share's port (the slot forwards it to the guest) with Capsule's
///    own credentials removed (<see cref="StripCredentials"/>); HTTP/1.1, streaming both ways, WebSocket upgrades.
///    Nothing answering is a 502.
/// </summary>
internal sealed partial class AppProxy(
    IHttpForwarder forwarder, IShareStore shares, SessionRegistry registry, ShareAuthorizer authorizer, ShareTokenExchange tokens,
    IOptions<SharesOptions> options, ILogger<AppProxy> logger)
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
        var route = ShareRoute.Resolve(context.Request, options.Value.Domain)
            ?? throw new CapsuleException(ErrorCode.NotFound, "Share not found");
        if (route.NeedsTrailingSlash)
        {
            // Relative links in the guest's pages resolve under the share's folder.
            context.Response.Redirect($"/{route.ShareId}/{context.Request.QueryString}", permanent: true, preserveMethod: true);
            return;
        }

        var cancellationToken = context.RequestAborted;
        var share = await shares.GetAsync(route.ShareId, cancellationToken);
        if (share is null || share.RevokedAt is not null)
            throw new CapsuleException(ErrorCode.NotFound, "Share not found");
        if (ShareTokenExchange.Carries(context.Request))
        {
            tokens.Exchange(context, route);
            return;
        }
        await authorizer.AuthorizeAsync(context.Request, share, cancellationToken);
        var actor = await registry.FindAnyAsync(share.SessionId, cancellationToken);
        if (actor is null || !actor.HasRunningMachine)
            throw new CapsuleException(ErrorCode.Gone, "The VM behind this share is not running; run code in its session to start one");
        var endpoint = actor.AppEndpoint
            ?? throw new CapsuleException(ErrorCode.Unavailable, "Guest networking is off on this host, so guest ports cannot be reached");

        context.Request.Path = route.GuestPath;
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Share {ShareId}: forwarding to guest port {Port} failed ({Error})")]
    private static partial void LogForwardFailed(ILogger logger, string shareId, int port, ForwarderError error);
}
