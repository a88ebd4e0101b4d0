using Capsule.Server.Api.Errors;
using Capsule.Server.Api.OpenApi;
using Capsule.Server.Api.Requests;
using Capsule.Server.Api.Responses;
using Capsule.Server.Api.Terminals;
using Capsule.Server.Api.Validation;
using Capsule.Server.Auth;
using Capsule.Server.Sessions;
using Capsule.Server.Sessions.Terminals;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Capsule.Server.Api;

/// <summary>InstaVM's PTY routes (<c>/v1/sessions/{session_id}/pty/sessions…</c>) and the attach WebSocket.</summary>
internal static class PtyEndpoints
{
    public const string NotFoundDetail = "PTY not found";
    private const string Base = "/v1/sessions/{session_id}/pty/sessions";

    public static IEndpointRouteBuilder MapPtyApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(Base, CreateAsync)
            .WithTags("PTY")
            .WithSummary("Start a shell on a new pseudo terminal in the session's VM (spawning the VM if it has none)")
            .WithDescription("Attach to it with the WebSocket at attach_url within Capsule:Pty:ReattachGrace (60 s), or it ends.")
            .AcceptsJson<CreatePtyRequestSchema>()
            .ProducesErrors(404, 409, 503);
        app.MapGet(Base, ListAsync)
            .WithTags("PTY")
            .WithSummary("The session's PTYs: running ones, and those that ended within the grace")
            .ProducesErrors(404);
        app.MapGet(Base + "/{pty_id}", GetAsync)
            .WithTags("PTY")
            .WithSummary("One PTY")
            .ProducesErrors(404);
        app.MapDelete(Base + "/{pty_id}", DeleteAsync)
            .WithTags("PTY")
            .WithSummary("Kill the PTY's shell and everything it started; answers with its final state")
            .ProducesErrors(404);
        app.MapPost(Base + "/{pty_id}/resize", ResizeAsync)
            .WithTags("PTY")
            .WithSummary("Set the window size (the foreground job gets SIGWINCH)")
            .AcceptsJson<ResizePtyRequestSchema>()
            .ProducesErrors(404, 410);
        app.MapPost(Base + "/{pty_id}/token", TokenAsync)
            .WithTags("PTY")
            .WithSummary("A short-lived single-use token for the attach WebSocket, for browsers (query parameter token)")
            .ProducesErrors(404, 410);
        app.MapGet(Base + "/{pty_id}/attach", AttachAsync)
            .WithTags("PTY")
            .WithSummary("WebSocket: binary frames carry terminal bytes both ways")
            .WithDescription("Key in X-API-Key (or Bearer), or ?token= from POST …/token. A text frame {\"type\":\"resize\",\"cols\":C,\"rows\":R} " +
                "resizes. When the shell ends the server sends {\"type\":\"exit\",\"exit_code\":N} and closes normally; another attach " +
                "takes over (close 4001). A dropped socket leaves the PTY running for the reattach grace.")
            .WithQueryParameter("token", "string", "A token from POST …/{pty_id}/token, instead of a key")
            .KeyOptional()
            .ProducesErrors(400, 404, 410);
        return app;
    }

    private static async Task<JsonHttpResult<PtyResponse>> CreateAsync(
        [FromRoute(Name = "session_id")] string sessionId,
        HttpRequest request, ApiKeyAuthenticator auth, SessionRegistry registry, TerminalRegistry terminals, CancellationToken cancellationToken)
    {
        using var document = await JsonBody.ReadOptionalObjectAsync(request, cancellationToken);
        var body = CreatePtyRequest.Parse(document.RootElement);
        var caller = await auth.AuthenticateAsync(request, body.ApiKey, cancellationToken);
        var actor = await registry.FindOwnedAsync(sessionId, caller, cancellationToken);

        var terminal = await actor.OpenTerminalAsync(body.Spec, terminals, cancellationToken);

        return TypedResults.Json(View(terminal), CapsuleJsonContext.Wire.PtyResponse);
    }

    private static async Task<JsonHttpResult<IReadOnlyList<PtyResponse>>> ListAsync(
        [FromRoute(Name = "session_id")] string sessionId,
        HttpRequest request, ApiKeyAuthenticator auth, SessionRegistry registry, TerminalRegistry terminals, CancellationToken cancellationToken)
    {
        var caller = await auth.AuthenticateAsync(request, bodyKey: null, cancellationToken);
        var actor = await registry.FindOwnedAsync(sessionId, caller, cancellationToken);
        IReadOnlyList<PtyResponse> views = [.. terminals.List(actor.SessionId).Select(View)];
        return TypedResults.Json(views, CapsuleJsonContext.Wire.IReadOnlyListPtyResponse);
    }

    private static async Task<JsonHttpResult<PtyResponse>> GetAsync(
        [FromRoute(Name = "session_id")] string sessionId, [FromRoute(Name = "pty_id")] string ptyId,
        HttpRequest request, ApiKeyAuthenticator auth, SessionRegistry registry, TerminalRegistry terminals, CancellationToken cancellationToken)
    {
        var terminal = await FindAsync(sessionId, ptyId, request, null, auth, registry, terminals, cancellationToken);
        return TypedResults.Json(View(terminal), CapsuleJsonContext.Wire.PtyResponse);
    }

    private static async Task<JsonHttpResult<PtyResponse>> DeleteAsync(
        [FromRoute(Name = "session_id")] string sessionId, [FromRoute(Name = "pty_id")] string ptyId,
        HttpRequest request, ApiKeyAuthenticator auth, SessionRegistry registry, TerminalRegistry terminals, CancellationToken cancellationToken)
    {
        var terminal = await FindAsync(sessionId, ptyId, request, null, auth, registry, terminals, cancellationToken);
        await terminals.DeleteAsync(terminal);
        return TypedResults.Json(View(terminal), CapsuleJsonContext.Wire.PtyResponse);
    }

    private static async Task<JsonHttpResult<PtyResponse>> ResizeAsync(
        [FromRoute(Name = "session_id")] string sessionId, [FromRoute(Name = "pty_id")] string ptyId,
        HttpRequest request, ApiKeyAuthenticator auth, SessionRegistry registry, TerminalRegistry terminals, CancellationToken cancellationToken)
    {
        using var document = await JsonBody.ReadObjectAsync(request, cancellationToken);
        var body = ResizePtyRequest.Parse(document.RootElement);
        var terminal = await FindAsync(sessionId, ptyId, request, body.ApiKey, auth, registry, terminals, cancellationToken);
        RequireRunning(terminal);
        await terminal.ResizeAsync(body.Cols, body.Rows, cancellationToken);
        return TypedResults.Json(View(terminal), CapsuleJsonContext.Wire.PtyResponse);
    }

    private static async Task<JsonHttpResult<PtyTokenResponse>> TokenAsync(
        [FromRoute(Name = "session_id")] string sessionId, [FromRoute(Name = "pty_id")] string ptyId,
        HttpRequest request, ApiKeyAuthenticator auth, SessionRegistry registry, TerminalRegistry terminals, TerminalTokens tokens,
        CancellationToken cancellationToken)
    {
        var terminal = await FindAsync(sessionId, ptyId, request, null, auth, registry, terminals, cancellationToken);
        RequireRunning(terminal);
        var token = tokens.Issue(terminal.SessionId, terminal.PtyId);
        return TypedResults.Json(
            new PtyTokenResponse(token, (int)tokens.Lifetime.TotalSeconds, AttachPath(terminal) + "?token=" + Uri.EscapeDataString(token)),
            CapsuleJsonContext.Wire.PtyTokenResponse);
    }

    /// <summary>
    /// Upgrades to the attach WebSocket. A token in the query, if given, is spent whatever happens next; otherwise the key
    /// is read from the headers. Refusals come before the upgrade, as HTTP statuses.
    /// </summary>
    private static async Task AttachAsync(
        [FromRoute(Name = "session_id")] string sessionId, [FromRoute(Name = "pty_id")] string ptyId,
        HttpContext context, ApiKeyAuthenticator auth, SessionRegistry registry, TerminalRegistry terminals, TerminalTokens tokens,
        ILogger<TerminalRegistry> logger)
    {
        var request = context.Request;
        var cancellationToken = context.RequestAborted;
        Terminal terminal;
        if (request.Query.TryGetValue("token", out var given) && !ApiKeyAuthenticator.HasHeaderKey(request))
        {
            if (given is not [{ } token] || !Guid.TryParse(sessionId, out var id) || !tokens.Redeem(token, id, ptyId))
                throw new CapsuleException(ErrorCode.Unauthenticated, "Invalid or expired PTY token");
            terminal = terminals.Find(id, ptyId) ?? throw new CapsuleException(ErrorCode.NotFound, NotFoundDetail);
        }
        else
        {
            terminal = await FindAsync(sessionId, ptyId, request, null, auth, registry, terminals, cancellationToken);
        }
        if (!context.WebSockets.IsWebSocketRequest)
            throw new CapsuleException(ErrorCode.InvalidArgument, "This route takes a WebSocket upgrade");
        RequireRunning(terminal);
        using var attachment = terminal.Attach() ?? throw Exited(terminal);
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        await TerminalSocket.ServeAsync(socket, attachment, logger, cancellationToken);
    }

    private static async Task<Terminal> FindAsync(
        string sessionId, string ptyId, HttpRequest request, string? bodyKey, ApiKeyAuthenticator auth, SessionRegistry registry,
        TerminalRegistry terminals, CancellationToken cancellationToken)
    {
        var caller = await auth.AuthenticateAsync(request, bodyKey, cancellationToken);
        var actor = await registry.FindOwnedAsync(sessionId, caller, cancellationToken);
        return terminals.Find(actor.SessionId, ptyId) ?? throw new CapsuleException(ErrorCode.NotFound, NotFoundDetail);
    }

    private static void RequireRunning(Terminal terminal)
    {
        if (!terminal.IsRunning)
            throw Exited(terminal);
    }

    private static CapsuleException Exited(Terminal terminal) =>
        new(ErrorCode.Gone, $"PTY {terminal.PtyId} has exited");

    private static string AttachPath(Terminal terminal) =>
        $"/v1/sessions/{terminal.SessionId:D}/pty/sessions/{terminal.PtyId}/attach";

    private static PtyResponse View(Terminal terminal) => new(
        terminal.PtyId, terminal.SessionId.ToString("D"), terminal.Cols, terminal.Rows, terminal.Shell,
        terminal.IsRunning ? "running" : "exited", terminal.ExitCode, terminal.IsAttached,
        WireTime.Format(terminal.CreatedAt), WireTime.Format(terminal.EndedAt), AttachPath(terminal));
}
