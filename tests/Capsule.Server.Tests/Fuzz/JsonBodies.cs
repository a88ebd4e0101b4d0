using System.Text;

namespace Capsule.Server.Tests.Fuzz;

/// <summary>
/// Turns a valid body (field name → raw JSON value) into a hostile one: wrong types, missing, extra, null and duplicate
/// fields, a non-object root, broken JSON, bad UTF-8, empty or whitespace bodies, wrong content types, and bodies just
/// under or over the size limit. About one in six stays valid, so the endpoints' success paths are fuzzed too.
/// </summary>
internal static class JsonBodies
{
    private static readonly string[] ContentTypes =
    [
        "text/plain", "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded",
        "application/json; charset=utf-16", "application/json; charset=latin1", "application/json; charset=\"", ";;;", "*/*",
    ];

    public static (byte[] Body, string? ContentType, bool Chunked) Make(FuzzValues values, IReadOnlyList<(string Key, string Value)> valid, int bodyLimit)
    {
        var random = values.Random;
        var fields = valid.ToList();
        var contentType = values.Chance(0.9) ? "application/json" : values.Chance(0.2) ? null : values.Pick(ContentTypes);
        var chunked = values.Chance(0.1);
        switch (random.Next(12))
        {
            case 0 or 1:
                return (Object(fields), contentType, chunked);
            case 2 or 3:
                for (var i = random.Next(1, 4); i > 0 && fields.Count > 0; i--)
                {
                    var at = random.Next(fields.Count);
                    fields[at] = (fields[at].Key, values.RawJson());
                }
                return (Object(fields), contentType, chunked);
            case 4:
                for (var i = random.Next(1, 3); i > 0 && fields.Count > 0; i--)
                    fields.RemoveAt(random.Next(fields.Count));
                return (Object(fields), contentType, chunked);
            case 5:
                for (var i = random.Next(1, 4); i > 0; i--)
                    fields.Insert(random.Next(fields.Count + 1), (values.Chance(0.5) && valid.Count > 0 ? values.Pick(valid).Key : values.Text(), values.RawJson()));
                return (Object(fields), contentType, chunked);
            case 6:
                return (Object(fields.Select(f => (f.Key, values.Chance(0.7) ? "null" : f.Value)).ToList()), contentType, chunked);
            case 7:
                var root = values.Chance(0.5) ? "[" + Text(fields) + "]" : values.RawJson();
                return (Encoding.UTF8.GetBytes(root), contentType, chunked);
            case 8:
                return (Broken(values, Object(fields)), contentType, chunked);
            case 9:
                var blank = values.Pick(new[] { "", " ", "\n\t ", "\0", "{", "}" });
                return (Encoding.UTF8.GetBytes(blank), contentType, chunked);
            case 10:
                // Padded to just under or just over the limit with one long string field.
                var target = bodyLimit + random.Next(-64, 64);
                var padded = Text(fields);
                var filler = Math.Max(0, target - padded.Length - 20);
                fields.Add(("padding", "\"" + new string('p', filler) + "\""));
                return (Object(fields), "application/json", chunked);
            default:
                return (Encoding.UTF8.GetBytes(Text(fields).Replace("\"", "'", StringComparison.Ordinal)), contentType, chunked);
        }
    }

    public static byte[] Object(IReadOnlyList<(string Key, string Value)> fields) => Encoding.UTF8.GetBytes(Text(fields));

    private static string Text(IReadOnlyList<(string Key, string Value)> fields) =>
        "{" + string.Join(",", fields.Select(f => FuzzValues.Quote(f.Key) + ":" + f.Value)) + "}";

    /// <summary>Valid JSON made invalid: cut short, a byte changed, bad UTF-8, a trailing comma, comments, NaN.</summary>
    private static byte[] Broken(FuzzValues values, byte[] json)
    {
        var random = values.Random;
        switch (random.Next(7))
        {
            case 0:
                return json[..random.Next(json.Length)];
            case 1:
                var changed = (byte[])json.Clone();
                changed[random.Next(changed.Length)] = (byte)random.Next(256);
                return changed;
            case 2:
                return [.. json[..^1], 0xFF, 0xFE, 0xC3, (byte)'}'];
            case 3:
                return [0xEF, 0xBB, 0xBF, .. json];
            case 4:
                return Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(json)[..^1] + ",}");
            case 5:
                return Encoding.UTF8.GetBytes("/* c */" + Encoding.UTF8.GetString(json) + "// trailing");
            default:
                return Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(json)[..^1] + (json.Length > 2 ? "," : "") + "\"n\":NaN,\"i\":Infinity}");
        }
    }
}
