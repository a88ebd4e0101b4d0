using System.Globalization;
using System.Text;

namespace Capsule.Server.Tests.Fuzz;

/// <summary>
/// Hostile <c>POST /upload</c> (multipart, built by hand so the framing itself can lie or break) and <c>POST /download</c>
/// (url-encoded form, or something else entirely) requests.
/// </summary>
internal static class FuzzForms
{
    public static FuzzRequest Upload(FuzzContext c, FuzzValues v)
    {
        var random = v.Random;
        var (headers, bodyKey) = c.PickKey(v);
        var boundary = random.Next(20) == 0 ? new string('b', random.Next(71, 200)) : "fuzz" + random.Next(1_000_000).ToString(CultureInfo.InvariantCulture);
        var parts = new List<(string Headers, byte[] Content)>
        {
            (Disposition("remote_path"), Utf8(v.Chance(0.6) ? "/app/fuzz-" + random.Next(50).ToString(CultureInfo.InvariantCulture) + ".txt" : v.Path())),
            (Disposition("session_id"), Utf8(v.Chance(0.75) ? v.Pick(c.SessionIds) : v.Id())),
        };
        if (v.Chance(0.5))
            parts.Add((Disposition("recursive"), Utf8(v.Chance(0.6) ? v.Pick(new[] { "true", "false", "yes", "0" }) : v.Text())));
        if (bodyKey is not null)
            parts.Add((Disposition("api_key"), Utf8(bodyKey)));
        var fileSize = v.Chance(0.05) ? c.UploadLimit + random.Next(1, 4096) : random.Next(0, 4096);
        var content = new byte[fileSize];
        random.NextBytes(content);
        var fileName = v.Chance(0.6) ? "data.bin" : v.Text();
        if (v.Chance(0.9))
            parts.Insert(v.Chance(0.7) ? parts.Count : 0, ($"Content-Disposition: form-data; name=\"file\"; filename=\"{fileName.Replace("\"", "", StringComparison.Ordinal)}\"\r\nContent-Type: application/octet-stream", content));
        if (v.Chance(0.1))
            parts.Add((Disposition(v.Pick(new[] { "remote_path", "session_id", "file" })), Utf8(v.Text())));
        if (v.Chance(0.03))
            parts.Add((Disposition("remote_path"), new byte[70 * 1024]));

        var body = new MemoryStream();
        var contentType = $"multipart/form-data; boundary={boundary}";
        var fault = random.Next(100);
        if (fault < 4)
            Write(body, "preamble garbage\r\n");
        foreach (var (partHeaders, partContent) in parts)
        {
            Write(body, $"--{boundary}\r\n");
            Write(body, fault switch
            {
                < 8 => "Content-Disposition: attachment\r\n",
                < 11 => "X-Long: " + new string('h', 20_000) + "\r\n" + partHeaders + "\r\n",
                < 13 => partHeaders.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n",
                < 15 => "Content-Disposition: form-data\r\n",
                _ => partHeaders + "\r\n",
            });
            Write(body, fault is >= 15 and < 17 ? "" : "\r\n");
            body.Write(partContent);
            Write(body, "\r\n");
        }
        if (fault is < 20 or >= 24)
            Write(body, $"--{boundary}--\r\n");
        contentType = fault switch
        {
            >= 24 and < 27 => "multipart/form-data",
            >= 27 and < 30 => "multipart/form-data; boundary=other",
            >= 30 and < 32 => "multipart/mixed; boundary=" + boundary,
            >= 32 and < 34 => "application/json",
            >= 34 and < 36 => "multipart/form-data; boundary=\"" + boundary,
            _ => contentType,
        };
        var bytes = fault is >= 36 and < 39 ? RandomBytes(random) : body.ToArray();
        return new FuzzRequest("POST /upload", "POST", "/upload", bytes, contentType, headers, Chunked: v.Chance(0.2));
    }

    public static FuzzRequest Download(FuzzContext c, FuzzValues v)
    {
        var random = v.Random;
        var (keyHeaders, bodyKey) = c.PickKey(v);
        var headers = keyHeaders.ToList();
        if (v.Chance(0.3))
            headers.Add(("Accept", v.Pick(new[] { "application/octet-stream", "application/json", "*/*", "application/octet-stream;q=0", "garbage" })));
        var fields = new List<(string Name, string Value)>();
        if (v.Chance(0.9))
            fields.Add(("filename", v.Chance(0.5) ? "/app/fuzz-" + random.Next(50).ToString(CultureInfo.InvariantCulture) + ".txt" : v.Path()));
        if (v.Chance(0.9))
            fields.Add(("session_id", v.Chance(0.75) ? v.Pick(c.SessionIds) : v.Id()));
        if (bodyKey is not null)
            fields.Add(("api_key", bodyKey));
        if (v.Chance(0.1))
            fields.Add((v.Text(), v.Text()));
        var encoded = string.Join("&", fields.Select(f => Uri.EscapeDataString(f.Name) + "=" + Uri.EscapeDataString(f.Value)));
        var (body, contentType) = random.Next(12) switch
        {
            0 => (Utf8("%zz=%&&=x&" + encoded), "application/x-www-form-urlencoded"),
            1 => (Utf8(new string('k', 3000) + "=1&" + encoded), "application/x-www-form-urlencoded"),
            2 => (Utf8(string.Concat(Enumerable.Repeat("a=1&", 1100)) + encoded), "application/x-www-form-urlencoded"),
            3 => (Utf8(encoded), "multipart/form-data; boundary=nope"),
            4 => (JsonBodies.Object(fields.Select(f => (f.Name, FuzzValues.Quote(f.Value))).ToList()), "application/json"),
            5 => (Utf8(encoded), null),
            6 => (Utf8("filename=" + new string('x', c.BodyLimit + 10)), "application/x-www-form-urlencoded"),
            _ => (Utf8(encoded), "application/x-www-form-urlencoded"),
        };
        return new FuzzRequest("POST /download", "POST", "/download", body, contentType, headers, Chunked: v.Chance(0.1));
    }

    private static string Disposition(string name) => $"Content-Disposition: form-data; name=\"{name}\"";

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static void Write(MemoryStream stream, string text) => stream.Write(Encoding.UTF8.GetBytes(text));

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 2000)];
        random.NextBytes(bytes);
        return bytes;
    }
}
