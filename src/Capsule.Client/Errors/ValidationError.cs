namespace Capsule.Client;

/// <summary>One problem in a rejected request (an item of a 422 <c>detail</c> list).</summary>
public sealed record ValidationError
{
    /// <summary>The kind of problem, e.g. <c>missing</c>, <c>less_than_equal</c>, <c>literal_error</c>.</summary>
    public required string Type { get; init; }

    /// <summary>Where the problem is, e.g. <c>["body", "memory_mb"]</c> (list indexes as their decimal text).</summary>
    public required IReadOnlyList<string> Location { get; init; }

    /// <summary>The human-readable message, e.g. <c>Input should be less than or equal to 8192</c>.</summary>
    public required string Message { get; init; }

    /// <summary>The offending input as JSON text, when the server echoed it.</summary>
    public string? Input { get; init; }
}
