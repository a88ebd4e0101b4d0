namespace Capsule.Server.Api.Responses;

/// <summary><c>POST /upload</c> → <c>{"status": "success", "remote_path": "...", "size": n}</c>.</summary>
internal sealed record UploadResponse(string Status, string RemotePath, long Size);

/// <summary>
/// <c>POST /download</c> (JSON form): the file's bytes in base64. Written as a stream by <c>Files.Base64JsonFileStream</c>;
/// this type only describes the shape (for the OpenAPI document).
/// </summary>
internal sealed record DownloadResponse(string Status, string Filename, string Content, long Size);
