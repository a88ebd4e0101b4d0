using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Capsule.Server.Tests.Files;

[CollectionDefinition(nameof(LargeFileTests), DisableParallelization = true)]
public sealed class LargeFileCollection;

/// <summary>
/// 128 MiB through upload and both download forms, hashed at both ends. The live heap (sampled after full collections)
/// must stay far below the file size: the server streams, it never holds the file. Runs alone so other tests' memory
/// does not blur the measurement.
/// </summary>
[Collection(nameof(LargeFileTests))]
public sealed class LargeFileTests
{
    private const long FileBytes = 128L * 1024 * 1024;
    private const long MemoryBound = FileBytes / 8;

    [Fact]
    public async Task Upload_128MiB_StreamsToGuestWithSameHashAndBoundedMemory()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        client.Timeout = TimeSpan.FromMinutes(5);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        await client.ExecuteOkAsync(sessionId, "warm up", ct);

        using var source = new GeneratedStream(FileBytes, seed: 42);
        using var form = FileHttp.UploadForm(new StreamContent(source, 64 * 1024), "big.bin",
            [("remote_path", "/app/big.bin"), ("session_id", sessionId)]);
        (HttpStatusCode Status, JsonNode? Body) result;
        await using (var memory = PeakMemory.Start())
        {
            result = await client.UploadAsync(form, ct);
            await memory.StopAsync();
            TestContext.Current.SendDiagnosticMessage($"upload: live heap peak +{memory.Growth / 1024} KiB");
            Assert.True(memory.Growth < MemoryBound, $"live heap grew by {memory.Growth / (1024 * 1024)} MiB during a {FileBytes / (1024 * 1024)} MiB upload");
        }

        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.Equal(FileBytes, (long)result.Body!["size"]!);
        await using var written = File.OpenRead(app.Machines.Last.HostPath("/app/big.bin"));
        Assert.Equal(Convert.ToHexString(source.Sha256), Convert.ToHexString(await SHA256.HashDataAsync(written, ct)));
    }

    [Fact]
    public async Task Download_128MiB_RawAndJson_SameHashAndBoundedMemory()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        client.Timeout = TimeSpan.FromMinutes(5);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        await client.ExecuteOkAsync(sessionId, "warm up", ct);
        string expected;
        using (var source = new GeneratedStream(FileBytes, seed: 7))
        await using (var file = File.Create(app.Machines.Last.HostPath("/app/big.bin")))
        {
            await source.CopyToAsync(file, ct);
            expected = Convert.ToHexString(source.Sha256);
        }

        await using (var memory = PeakMemory.Start())
        {
            var raw = await HashRawAsync(client, sessionId, ct);
            await memory.StopAsync();
            Assert.Equal(expected, raw);
            TestContext.Current.SendDiagnosticMessage($"raw download: live heap peak +{memory.Growth / 1024} KiB");
            Assert.True(memory.Growth < MemoryBound, $"live heap grew by {memory.Growth / (1024 * 1024)} MiB during a raw download");
        }
        await using (var memory = PeakMemory.Start())
        {
            var (json, size) = await HashJsonAsync(client, sessionId, ct);
            await memory.StopAsync();
            Assert.Equal(expected, json);
            TestContext.Current.SendDiagnosticMessage($"JSON download: live heap peak +{memory.Growth / 1024} KiB");
            Assert.Equal(FileBytes, size);
            Assert.True(memory.Growth < MemoryBound, $"live heap grew by {memory.Growth / (1024 * 1024)} MiB during a JSON download");
        }
    }

    private static async Task<string> HashRawAsync(HttpClient client, string sessionId, CancellationToken ct)
    {
        using var request = FileHttp.DownloadRequest(sessionId, "/app/big.bin", raw: true);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).WaitAsync(TimeSpan.FromMinutes(2), ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        return Convert.ToHexString(await SHA256.HashDataAsync(body, ct).AsTask().WaitAsync(TimeSpan.FromMinutes(2), ct));
    }

    /// <summary>Reads <c>{"status":..,"filename":..,"content":"&lt;base64&gt;","size":n}</c> as a stream, decoding as it goes.</summary>
    private static async Task<(string Sha256, long Size)> HashJsonAsync(HttpClient client, string sessionId, CancellationToken ct)
    {
        using var request = FileHttp.DownloadRequest(sessionId, "/app/big.bin");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).WaitAsync(TimeSpan.FromMinutes(2), ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        var prefix = Encoding.UTF8.GetBytes("""{"status":"success","filename":"/app/big.bin","content":" """.TrimEnd());
        var head = new byte[prefix.Length];
        await body.ReadExactlyAsync(head, ct);
        Assert.Equal(Encoding.UTF8.GetString(prefix), Encoding.UTF8.GetString(head));

        var buffer = new byte[256 * 1024 + 8];
        var decoded = new byte[buffer.Length];
        var pending = 0;
        var tail = new StringBuilder();
        var inContent = true;
        int read;
        while ((read = await body.ReadAsync(buffer.AsMemory(pending, buffer.Length - pending - 8), ct).AsTask().WaitAsync(TimeSpan.FromMinutes(2), ct)) > 0)
        {
            var available = pending + read;
            if (!inContent)
            {
                tail.Append(Encoding.UTF8.GetString(buffer, 0, available));
                pending = 0;
                continue;
            }
            var quote = Array.IndexOf(buffer, (byte)'"', 0, available);
            // Without the closing quote in sight, hold the last group back: it may be the padded one, which only a
            // final-block decode accepts.
            var end = quote < 0 ? Math.Max(0, available - available % 4 - 4) : quote;
            Assert.Equal(System.Buffers.OperationStatus.Done,
                Base64.DecodeFromUtf8(buffer.AsSpan(0, end), decoded, out var consumed, out var written, isFinalBlock: quote >= 0));
            hash.AppendData(decoded.AsSpan(0, written));
            if (quote >= 0)
            {
                inContent = false;
                tail.Append(Encoding.UTF8.GetString(buffer, quote, available - quote));
                pending = 0;
            }
            else
            {
                pending = available - consumed;
                buffer.AsSpan(consumed, pending).CopyTo(buffer);
            }
        }
        var suffix = JsonNode.Parse("{" + tail.ToString()[2..])!;
        return (Convert.ToHexString(hash.GetCurrentHash()), (long)suffix["size"]!);
    }
}
