namespace Capsule.Client;

/// <summary>A file written into the guest.</summary>
public sealed record UploadResult
{
    /// <summary>The guest path written.</summary>
    public required string RemotePath { get; init; }

    /// <summary>Bytes written.</summary>
    public required long Size { get; init; }
}
