using Capsule.Agent.Protocol;

namespace Capsule.Agent.Files;

/// <summary>A file request the agent refuses: an <see cref="AgentErrorCode"/> and a message for the host.</summary>
internal sealed class FileError(string code, string message) : Exception(message)
{
    public string Code => code;

    public static FileError FromIo(Exception e, string path) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => new(AgentErrorCode.NotFound, $"{path}: no such file or directory"),
        UnauthorizedAccessException => new(AgentErrorCode.Io, $"{path}: permission denied"),
        _ => new(AgentErrorCode.Io, $"{path}: {e.Message}"),
    };

    public static void RequireAbsolute(string? path)
    {
        if (string.IsNullOrEmpty(path) || !Path.IsPathRooted(path) || path.Contains('\0', StringComparison.Ordinal))
            throw new FileError(AgentErrorCode.BadRequest, $"Path must be absolute: '{path}'");
    }
}
