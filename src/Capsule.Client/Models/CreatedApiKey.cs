using System.Text;

namespace Capsule.Client;

/// <summary>A new API key. <see cref="ApiKey"/> is shown only here, once: store it.</summary>
public sealed record CreatedApiKey
{
    /// <summary>The key id.</summary>
    public required string Id { get; init; }

    /// <summary>The secret key to send as <c>X-API-Key</c>.</summary>
    public required string ApiKey { get; init; }

    /// <summary>What the key is for.</summary>
    public string? Description { get; init; }

    /// <summary>True for an admin key.</summary>
    public required bool IsAdmin { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    // ToString (and so logs) never shows the secret.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Id = ").Append(Id).Append(", ApiKey = ***, Description = ").Append(Description)
            .Append(", IsAdmin = ").Append(IsAdmin).Append(", CreatedAt = ").Append(CreatedAt);
        return true;
    }
}
