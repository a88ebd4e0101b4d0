using System.ComponentModel;
using System.Text;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Capsule.Mcp;

/// <summary>upload_file and download_file: small files in and out, as text or base64, size-capped.</summary>
internal sealed partial class SandboxTools
{
    [McpServerTool(Name = "upload_file", Title = "Write a file into a sandbox", Destructive = false, OpenWorld = false)]
    [Description("Writes a file into a sandbox, creating missing folders and replacing an existing file. Content is text " +
        "(UTF-8) or base64 for binary files; at most 10 MiB. Relative paths are under /app.")]
    public async Task<CallToolResult> UploadFileAsync(
        [Description("Where to write the file in the sandbox, e.g. data.csv or /tmp/input.bin.")] string path,
        [Description("The file's content, as text or base64 (see encoding).")] string content,
        [Description("\"text\" (default) or \"base64\".")] string encoding = "text",
        [Description("A sandbox id; omit to use this connection's own sandbox.")] string? session_id = null,
        CancellationToken cancellationToken = default)
    {
        byte[] bytes;
        switch (encoding)
        {
            case "text":
                if (Encoding.UTF8.GetByteCount(content) > MaxUploadBytes)
                    return TooLargeToUpload();
                bytes = Encoding.UTF8.GetBytes(content);
                break;
            case "base64":
                if (content.Length / 4 * 3 > MaxUploadBytes + 3)
                    return TooLargeToUpload();
                try
                {
                    bytes = Convert.FromBase64String(content);
                }
                catch (FormatException)
                {
                    return ToolText.Error("content is not valid base64; send it again, or use encoding \"text\" for text.");
                }
                break;
            default:
                return ToolText.Error($"encoding must be \"text\" or \"base64\", not \"{encoding}\".");
        }
        if (bytes.Length > MaxUploadBytes)
            return TooLargeToUpload();
        try
        {
            var (sandboxId, note) = await ResolveAsync(session_id, cancellationToken);
            using var stream = new MemoryStream(bytes, writable: false);
            var size = await Backend.UploadAsync(sandboxId, path, stream, cancellationToken);
            return ToolText.Ok(Join(note, $"Wrote {size} bytes to {path} in sandbox {sandboxId}."));
        }
        catch (SandboxToolException refused)
        {
            return ToolText.Error(refused.Message);
        }
    }

    [McpServerTool(Name = "download_file", Title = "Read a file from a sandbox", ReadOnly = true, OpenWorld = false)]
    [Description("Reads a file from a sandbox and returns its content as text (UTF-8) or base64 for binary files; at most " +
        "1 MiB (for larger files, inspect them with run_code, e.g. head or wc). Relative paths are under /app.")]
    public async Task<CallToolResult> DownloadFileAsync(
        [Description("The file to read in the sandbox, e.g. output.json or /tmp/plot.png.")] string path,
        [Description("\"text\" (default) or \"base64\".")] string encoding = "text",
        [Description("A sandbox id; omit to use this connection's own sandbox.")] string? session_id = null,
        CancellationToken cancellationToken = default)
    {
        if (encoding is not ("text" or "base64"))
            return ToolText.Error($"encoding must be \"text\" or \"base64\", not \"{encoding}\".");
        try
        {
            var (sandboxId, _) = await ResolveAsync(session_id, cancellationToken);
            using var buffer = new CappedBuffer(MaxDownloadBytes);
            try
            {
                await Backend.DownloadAsync(sandboxId, path, buffer, cancellationToken);
            }
            catch (FileTooLargeException)
            {
                return ToolText.Error($"{path} is larger than the 1 MiB download_file returns; inspect it with run_code " +
                    "(e.g. head -c 100000, wc, or a script that summarises it) instead.");
            }
            if (encoding == "base64")
                return ToolText.Ok(Convert.ToBase64String(buffer.Bytes.Span));
            try
            {
                return ToolText.Ok(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.Bytes.Span));
            }
            catch (DecoderFallbackException)
            {
                return ToolText.Error($"{path} is not UTF-8 text; call download_file again with encoding \"base64\".");
            }
        }
        catch (SandboxToolException refused)
        {
            return ToolText.Error(refused.Message);
        }
    }

    private static CallToolResult TooLargeToUpload() => ToolText.Error(
        "The file is larger than the 10 MiB upload_file accepts; split it, or produce it inside the sandbox with run_code.");
}
