namespace Capsule.Server.Api.Validation;

/// <summary>Limits of request bodies other than uploads. Bound from "Capsule:Requests".</summary>
internal sealed class RequestBodyOptions
{
    public const string SectionName = "Capsule:Requests";

    /// <summary>Smallest and largest values <see cref="MaxJsonBodyBytes"/> may take.</summary>
    public const long MinJsonBodyBytes = 1024, MaxJsonBodyBytesCeiling = 256L * 1024 * 1024;

    /// <summary>
    /// Largest JSON (or download form) body, in bytes (default 1 MiB: room for a large code string; files go through
    /// <c>/upload</c>). A bigger body is refused with 413 before it is read, or as soon as it passes the limit.
    /// </summary>
    public long MaxJsonBodyBytes { get; set; } = 1024 * 1024;
}
