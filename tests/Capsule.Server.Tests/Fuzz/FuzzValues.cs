using System.Globalization;
using System.Text;

namespace Capsule.Server.Tests.Fuzz;

/// <summary>
/// Hostile values, as raw JSON text (so they can be what no JSON library writes: <c>1e309</c>, <c>-0</c>, escaped
/// lone surrogates) or as plain strings (paths, ids, query values). Every pick goes through the caller's seeded
/// <see cref="Random"/>, so a run is reproducible from its seed.
/// </summary>
internal sealed class FuzzValues(Random random, int bodyLimit)
{
    private static readonly string[] Numbers =
    [
        "0", "-0", "-1", "1", "2", "20", "60", "600", "601", "19", "86400", "86401", "127", "128", "129", "512", "8192", "8194",
        "2147483647", "2147483648", "-2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
        "-9223372036854775809", "123456789012345678901234567890", "1e309", "-1e309", "1e-400", "4.9e-324", "1.5", "0.0",
        "20.0", "600.0000001", "1E2", "2e1", "-0.0", "1.7976931348623157e308",
    ];

    private static readonly string[] Texts =
    [
        "", "a", " ", "python", "bash", "Python", "true", "false", "yes", "no", "1", "0", "60", " 60 ", "1e3", "-0", "0x10",
        "\u0000", "a\u0000b", "\u202eevil\u202c", "\u200b", "😀🔥", "e\u0301", "\ufeff", "\r\n", "'; DROP TABLE sessions; --",
        "<script>alert(1)</script>", "${jndi:ldap://x}", "%s%n%x", "../../etc/passwd", "/etc/passwd", "/", "//", "/app/",
        "/app/../../../../etc/shadow", "C:\\Windows\\win.ini", "\\\\server\\share", "~", "*", "null", "undefined", "NaN",
        "00000000-0000-0000-0000-000000000000", "not-a-guid", "{6a1f7f1e-8d3c-4a53-9d0a-3c0f6f0b9a11}",
    ];

    private static readonly string[] RawJsonOnly =
    [
        "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"a\\ud83d\"", "\"\\u0000\"", "\"\\\"\"", "\"\\\\\"", "\"\\/\"",
        "null", "true", "false", "[]", "{}", "[1,2]", "[null]", "{\"\":null}", "{\"a\":{\"b\":[1,{\"c\":null}]}}",
        "[\"python\"]", "{\"python\":1}",
    ];

    public Random Random => random;

    public T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    public bool Chance(double probability) => random.NextDouble() < probability;

    /// <summary>A hostile JSON value of any kind, as raw text.</summary>
    public string RawJson() => random.Next(10) switch
    {
        0 or 1 => Pick(Numbers),
        2 or 3 => Quote(Text()),
        4 => Pick(RawJsonOnly),
        5 => Nested(random.Next(2) == 0 ? random.Next(2, 20) : random.Next(60, 300)),
        6 => Quote(new string('x', random.Next(1000, bodyLimit - 200))),
        7 => Quote(Path()),
        8 => Quote(Id()),
        _ => "\"" + random.NextInt64().ToString(CultureInfo.InvariantCulture) + "\"",
    };

    /// <summary>A hostile string (not JSON).</summary>
    public string Text() => random.Next(6) switch
    {
        0 => Path(),
        1 => Id(),
        2 => RandomUnicode(random.Next(1, 40)),
        3 => new string((char)random.Next(32, 127), random.Next(1, 3000)),
        _ => Pick(Texts),
    };

    /// <summary>A guest path: traversal, absolute, relative, NUL, very long, unicode, trailing slash.</summary>
    public string Path() => random.Next(14) switch
    {
        0 => "../../etc/passwd",
        1 => "/../../etc/passwd",
        2 => "/app/../../../../../etc/passwd",
        3 => "/etc/passwd",
        4 => "/app/a\u0000b",
        5 => "/" + string.Concat(Enumerable.Repeat("deep/", random.Next(50, 900))) + "f",
        6 => "/app/" + new string('n', random.Next(200, 5000)),
        7 => "relative/path.txt",
        8 => "",
        9 => "/app/" + RandomUnicode(random.Next(1, 12)),
        10 => "/app/dir/",
        11 => "/",
        12 => "/proc/self/environ",
        _ => "/app/fuzz-" + random.Next(1000).ToString(CultureInfo.InvariantCulture) + ".txt",
    };

    /// <summary>An id that is not one: malformed, huge, encoded, or a well-formed id of nothing.</summary>
    public string Id() => random.Next(10) switch
    {
        0 => RandomGuid().ToString("D"),
        1 => "not-a-guid",
        2 => new string('9', random.Next(100, 10000)),
        3 => "00000000-0000-0000-0000-000000000000",
        4 => RandomGuid().ToString("B").ToUpperInvariant(),
        5 => "' OR 1=1 --",
        6 => "key_" + new string('f', random.Next(0, 40)),
        7 => RandomUnicode(random.Next(1, 10)),
        8 => "..",
        _ => RandomGuid().ToString("N"),
    };

    /// <summary>A path segment as it goes on the wire: escaped, or raw encodings a server must not trip over.</summary>
    /// <remarks>
    /// No <c>%00</c>: the in-memory test server refuses a NUL in a path on the client side before the server sees it
    /// (Kestrel answers 400 itself); NULs are still sent in bodies, forms and query strings.
    /// </remarks>
    public string Segment(string value) => random.Next(8) switch
    {
        0 => "%0a%0d",
        1 => "%2e%2e",
        2 => "%2F..%2F",
        3 => "%ff%fe",
        4 => "%",
        _ => Uri.EscapeDataString(value.Replace("\0", "", StringComparison.Ordinal)),
    };

    /// <summary>A query value as it goes on the wire.</summary>
    public string QueryValue() => random.Next(6) switch
    {
        0 => Uri.EscapeDataString(Pick(Numbers)),
        1 => Uri.EscapeDataString(RawJson()),
        2 => "%zz%",
        3 => "",
        _ => Uri.EscapeDataString(Text()),
    };

    /// <summary>A well-formed id of nothing, from the seeded generator (Guid.NewGuid would break replay).</summary>
    public Guid RandomGuid()
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }

    public static string Quote(string text)
    {
        var json = new StringBuilder("\"");
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case < ' ': json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: json.Append(c); break;
            }
        }
        return json.Append('"').ToString();
    }

    private string Nested(int depth) =>
        random.Next(2) == 0 ? new string('[', depth) + "1" + new string(']', depth)
            : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);

    private string RandomUnicode(int length)
    {
        var text = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            text.Append(random.Next(6) switch
            {
                0 => char.ConvertFromUtf32(random.Next(0x1F300, 0x1FAFF)),
                1 => ((char)random.Next(0x0590, 0x06FF)).ToString(),
                2 => ((char)random.Next(0x4E00, 0x9FFF)).ToString(),
                3 => ((char)random.Next(0, 32)).ToString(),
                4 => "\u202e",
                _ => ((char)random.Next(0x00A0, 0x024F)).ToString(),
            });
        }
        return text.ToString();
    }
}
