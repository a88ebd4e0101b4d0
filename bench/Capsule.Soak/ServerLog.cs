namespace Capsule.Soak;

/// <summary>
/// A summary of the server's console log (the default format: a <c>warn: Category[id]</c> line, then the message
/// indented): how many warnings, errors and critical entries, and the first few errors and warnings in full.
/// </summary>
internal sealed record ServerLog(string Path, int Warnings, int Errors, int Critical, IReadOnlyList<string> FirstErrors, IReadOnlyList<string> FirstWarnings)
{
    private const int Kept = 10;

    public static ServerLog Read(string path)
    {
        int warnings = 0, errors = 0, critical = 0;
        var firstErrors = new List<string>();
        var firstWarnings = new List<string>();
        List<string>? current = null;
        string? entry = null;
        foreach (var line in File.Exists(path) ? File.ReadLines(path) : [])
        {
            if (line.StartsWith("      ", StringComparison.Ordinal) && entry is not null)
            {
                entry += " | " + line.Trim();
                continue;
            }
            Flush(current, entry);
            (current, entry) = (null, null);
            if (line.StartsWith("warn:", StringComparison.Ordinal))
                (warnings, current, entry) = (warnings + 1, firstWarnings, line);
            else if (line.StartsWith("fail:", StringComparison.Ordinal))
                (errors, current, entry) = (errors + 1, firstErrors, line);
            else if (line.StartsWith("crit:", StringComparison.Ordinal))
                (critical, current, entry) = (critical + 1, firstErrors, line);
        }
        Flush(current, entry);
        return new ServerLog(path, warnings, errors, critical, firstErrors, firstWarnings);
    }

    private static void Flush(List<string>? into, string? entry)
    {
        if (into is not null && entry is not null && into.Count < Kept)
            into.Add(entry.Length <= 2000 ? entry : entry[..2000] + "...");
    }
}
