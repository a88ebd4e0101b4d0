namespace Capsule.Server.Files;

/// <summary>Limits of <c>POST /upload</c>. Bound from "Capsule:Files".</summary>
internal sealed class FileTransferOptions
{
    public const string SectionName = "Capsule:Files";

    /// <summary>Largest upload request body, in bytes (default 10 GiB). Files are streamed, never held in memory.</summary>
    public long MaxUploadBytes { get; set; } = 10L * 1024 * 1024 * 1024;
}
