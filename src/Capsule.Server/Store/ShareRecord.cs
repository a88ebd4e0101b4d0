namespace Capsule.Server.Store;

/// <summary>A guest port exposed at a URL of the apps origin, named by an unguessable id (never by the session id).</summary>
internal sealed record ShareRecord
{
    public required string ShareId { get; init; }
    public required Guid SessionId { get; init; }
    /// <summary>The key that made it: the only one that may use a private share, change or revoke it.</summary>
    public required string ApiKeyId { get; init; }
    public required int Port { get; init; }
    /// <summary>Anyone with the URL may use a public share; a private one needs its key.</summary>
    public required bool IsPublic { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
}
