using System.Text;

namespace Capsule.Server.Tests.Fuzz;

/// <summary>
/// What the generator knows about the server under test: a valid non-admin key with a few sessions and executions (so
/// most requests reach validation and the handlers), the admin, and the limits configured for the run.
/// </summary>
internal sealed class FuzzContext
{
    public required string Key { get; init; }
    public required string KeyId { get; init; }
    public required string AdminKey { get; init; }
    public required string AdminKeyId { get; init; }
    public required IReadOnlyList<string> SessionIds { get; init; }
    public required IReadOnlyList<string> TaskIds { get; init; }
    /// <summary>Keys made for the run to revoke.</summary>
    public required IReadOnlyList<string> ThrowawayKeyIds { get; init; }
    public required int BodyLimit { get; init; }
    public required int UploadLimit { get; init; }

    /// <summary>Where the key goes: mostly a valid key in a header, sometimes the body, the admin, a bogus key or none.</summary>
    public (IReadOnlyList<(string, string)> Headers, string? BodyKey) PickKey(FuzzValues values, bool preferAdmin = false)
    {
        var main = preferAdmin ? AdminKey : Key;
        return values.Random.Next(100) switch
        {
            < 72 => (FuzzHeaders.XApiKey(main), null),
            < 80 => (FuzzHeaders.Bearer(main), null),
            < 88 => (FuzzHeaders.None, main),
            < 91 => (FuzzHeaders.XApiKey(preferAdmin ? Key : AdminKey), null),
            < 95 => (FuzzHeaders.XApiKey(HeaderSafe(values.Text())), null),
            < 97 => (FuzzHeaders.None, values.Text()),
            _ => (FuzzHeaders.None, null),
        };
    }

    /// <summary>A valid id from <paramref name="valid"/> most of the time, else a hostile one; escaped for a path.</summary>
    public static string PathId(FuzzValues values, IReadOnlyList<string> valid) =>
        values.Chance(0.6) ? valid[values.Random.Next(valid.Count)] : values.Segment(values.Id());

    /// <summary>A header value HttpClient will send: printable Latin-1 only (the server sees it as is).</summary>
    private static string HeaderSafe(string text)
    {
        var safe = new StringBuilder();
        foreach (var c in text)
        {
            if (c is >= ' ' and <= '~' or >= '\u00a0' and <= '\u00ff')
                safe.Append(c);
        }
        return safe.Length == 0 ? "x" : safe.ToString();
    }
}
