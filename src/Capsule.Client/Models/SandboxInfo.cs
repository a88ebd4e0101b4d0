namespace Capsule.Client;

/// <summary>A session as <see cref="CapsuleClient.ListAsync"/> lists it (InstaVM's sandbox view).</summary>
public sealed record SandboxInfo
{
    /// <summary>The session id.</summary>
    public required string SandboxId { get; init; }

    /// <summary>The machine template, e.g. <c>snap2</c> for 2 vCPUs.</summary>
    public string? TemplateId { get; init; }

    /// <summary>The template's name.</summary>
    public string? Name { get; init; }

    /// <summary>The metadata given at creation (non-string JSON values as their JSON text).</summary>
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    /// <summary>When the session started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it ends (or ended).</summary>
    public DateTimeOffset? EndAt { get; init; }

    /// <summary>Its status, e.g. <c>active</c>.</summary>
    public required string Status { get; init; }
}
