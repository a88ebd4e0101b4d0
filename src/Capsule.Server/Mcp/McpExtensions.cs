using System.Security.Claims;
using Capsule.Mcp;
using Capsule.Server.Auth;
using ModelContextProtocol.AspNetCore;

namespace Capsule.Server.Mcp;

/// <summary>
/// The Model Context Protocol at <c>/mcp</c> (Streamable HTTP, stateful sessions). Every request is authenticated with
/// the REST API's keys (X-API-Key or Bearer; 401 without a valid one) before the MCP SDK sees it, and the MCP session is
/// bound to the key that opened it (the SDK refuses a session id presented by another key). Each MCP session gets its
/// own <see cref="SandboxConnection"/>: tools bound to its caller, and the sandbox it made, killed when it ends.
/// </summary>
internal static class McpExtensions
{
    public const string Path = "/mcp";

    /// <summary>
    /// Makes the request's identity authenticated: the SDK then binds a new MCP session to its NameIdentifier claim
    /// (the key's id) and refuses that session's id from any other key.
    /// </summary>
    private const string AuthenticationType = "CapsuleApiKey";

    private static readonly object ConnectionItem = new();

    public static IServiceCollection AddCapsuleMcp(this IServiceCollection services)
    {
        services.AddSingleton<McpServices>();
        // At Trace the MCP SDK logs whole JSON-RPC messages (code, output, file content); the log never carries content.
        services.Configure<LoggerFilterOptions>(options =>
            options.Rules.Add(new LoggerFilterRule(providerName: null, categoryName: "ModelContextProtocol", LogLevel.Debug, filter: null)));
        services.AddMcpServer(options =>
            {
                options.ServerInfo = CapsuleMcpServer.Info;
                options.ServerInstructions = CapsuleMcpServer.Instructions;
            })
            .WithHttpTransport(transport =>
            {
                transport.SessionMode = HttpServerSessionMode.Stateful;
                transport.ConfigureSessionOptions = (context, options, _) =>
                {
                    var caller = (Caller)context.Items[typeof(Caller)]!;
                    var connection = new SandboxConnection(new SessionSandboxBackend(caller, context.RequestServices.GetRequiredService<McpServices>()));
                    context.Items[ConnectionItem] = connection;
                    options.ToolCollection = SandboxTools.CreateCollection(connection);
                    return Task.CompletedTask;
                };
#pragma warning disable MCPEXP002 // RunSessionHandler is experimental; it is the one hook that runs when an MCP session ends.
                transport.RunSessionHandler = async (context, server, cancellationToken) =>
                {
                    // Read while the initialize request is still running: the context is not used after it.
                    var connection = context.Items[ConnectionItem] as SandboxConnection;
                    var caller = (Caller)context.Items[typeof(Caller)]!;
                    var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(McpExtensions));
                    McpLog.Opened(logger, server.SessionId, caller.KeyId);
                    try
                    {
                        await server.RunAsync(cancellationToken);
                    }
                    finally
                    {
                        if (connection is not null)
                            await connection.DisposeAsync();
                        McpLog.Ended(logger, server.SessionId, caller.KeyId, connection?.OwnSandboxId);
                    }
                };
#pragma warning restore MCPEXP002
            });
        return services;
    }

    public static WebApplication MapCapsuleMcp(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments(Path), branch => branch.Use(async (context, next) =>
        {
            var auth = context.RequestServices.GetRequiredService<ApiKeyAuthenticator>();
            var caller = await auth.AuthenticateAsync(context.Request, bodyKey: null, context.RequestAborted);
            context.Items[typeof(Caller)] = caller;
            context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, caller.KeyId)], AuthenticationType));
            await next(context);
        }));
        app.MapMcp(Path).ExcludeFromDescription();
        return app;
    }
}
