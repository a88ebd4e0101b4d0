namespace Capsule.Server.Mcp;

/// <summary>What the MCP endpoint logs: connections by their MCP session id and the key's id, never the key.</summary>
internal static partial class McpLog
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "MCP session {McpSessionId} opened by key {KeyId}")]
    public static partial void Opened(ILogger logger, string? mcpSessionId, string keyId);

    [LoggerMessage(EventId = 701, Level = LogLevel.Information,
        Message = "MCP session {McpSessionId} of key {KeyId} ended; its own sandbox: {SessionId}")]
    public static partial void Ended(ILogger logger, string? mcpSessionId, string keyId, string? sessionId);
}
