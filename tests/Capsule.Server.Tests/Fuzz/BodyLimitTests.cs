using System.Net.Http.Headers;
using System.Text;
using Capsule.Server.Api.Validation;

namespace Capsule.Server.Tests.Fuzz;

/// <summary>
/// Request bodies are bounded: JSON (and the download form) by <c>Capsule:Requests:MaxJsonBodyBytes</c> (1 MiB by
/// default), uploads by <c>Capsule:Files:MaxUploadBytes</c>. Over the limit is a 413 with a <c>detail</c>, never a 400 or
/// a 500, and the server stops reading instead of taking the whole body in.
/// </summary>
public sealed class BodyLimitTests
{
    private const string DefaultDetail = "The request body is larger than 1 MiB; send files with POST /upload";
    private const long Huge = 64L * 1024 * 1024;

    /// <summary>Every endpoint whose body is limited by MaxJsonBodyBytes: method and path.</summary>
    public static TheoryData<string, string> LimitedEndpoints => new()
    {
        { "POST", "/v1/sessions/session" },
        { "POST", "/v1/sessions/6a1f7f1e-8d3c-4a53-9d0a-3c0f6f0b9a11/extend" },
        { "POST", "/kill" },
        { "POST", "/execute" },
        { "POST", "/execute_async" },
        { "POST", "/v1/execute/stream" },
        { "POST", "/v1/api-keys/" },
        { "PATCH", "/v1/api-keys/key_000000000000" },
        { "POST", "/download" },
    };

    [Theory]
    [MemberData(nameof(LimitedEndpoints))]
    public async Task DeclaredLengthOverLimit_Returns413WithoutReadingTheBody(string method, string path)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var source = new FillerStream("{\"command\":\""u8.ToArray(), Huge);

        var (status, body) = await SendAsync(client, method, path, source, declaredLength: Huge, ContentTypeFor(path), ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        JsonShape.AssertJson(new JsonObject { ["detail"] = DefaultDetail }.ToJsonString(), body);
        Assert.True(source.BytesRead < Huge / 4, $"the server read {source.BytesRead} of {Huge} bytes");
    }

    [Theory]
    [MemberData(nameof(LimitedEndpoints))]
    public async Task ChunkedBodyOverLimit_Returns413AfterReadingAboutTheLimit(string method, string path)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var source = new FillerStream("{\"command\":\""u8.ToArray(), Huge);

        var (status, body) = await SendAsync(client, method, path, source, declaredLength: null, ContentTypeFor(path), ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        JsonShape.AssertJson(new JsonObject { ["detail"] = DefaultDetail }.ToJsonString(), body);
        Assert.True(source.BytesRead < Huge / 4, $"the server read {source.BytesRead} of {Huge} bytes");
    }

    [Fact]
    public async Task Execute_CodeJustUnderTheDefaultLimit_Runs()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        var code = "# " + new string('x', 1024 * 1024 - 200);

        var (status, body) = await client.PostJsonAsync("/execute", new JsonObject { ["command"] = code, ["session_id"] = sessionId }, ct);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(code + "\n", (string)body!["stdout"]!);
    }

    [Fact]
    public async Task ConfiguredLimit_IsTheOneApplied()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp(settings: new Dictionary<string, string?> { ["Capsule:Requests:MaxJsonBodyBytes"] = "4096" });
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var under = await client.PostJsonAsync("/execute", new JsonObject { ["command"] = new string('x', 3900), ["session_id"] = sessionId }, ct);
        var over = await client.PostJsonAsync("/execute", new JsonObject { ["command"] = new string('x', 4100), ["session_id"] = sessionId }, ct);

        Assert.Equal(HttpStatusCode.OK, under.Status);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.Status);
        JsonShape.AssertJson("""{"detail":"The request body is larger than 4 KiB; send files with POST /upload"}""", over.Body);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1023")]
    [InlineData("1099511627776")]
    public async Task InvalidLimit_FailsAtStartSayingWhatIsAllowed(string value)
    {
        await using (var app = new CapsuleApp(settings: new Dictionary<string, string?> { ["Capsule:Requests:MaxJsonBodyBytes"] = value }))
        {
            // As in RestartTests: a failed minimal-hosting start sometimes surfaces as WebApplicationFactory's own
            // ObjectDisposedException, so the message is asserted on the validator the start runs.
            Assert.ThrowsAny<Exception>(app.StartServer);
        }
        var result = new RequestBodyOptionsValidator().Validate(null, new RequestBodyOptions { MaxJsonBodyBytes = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture) });

        Assert.True(result.Failed);
        Assert.Equal($"Capsule:Requests:MaxJsonBodyBytes must be from 1024 to 268435456 (256 MiB), not {value}.", result.FailureMessage);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Upload_OverMaxUploadBytes_Returns413AndWritesNothing(bool declareLength)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = UploadLimitedApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        await client.ExecuteOkAsync(sessionId, "warm up", ct);
        var source = new FillerStream([], Huge);
        var file = new StreamContent(source);
        if (declareLength)
            file.Headers.ContentLength = Huge;
        using var form = FileHttp.UploadForm(file, "big.bin", [("remote_path", "/app/big.bin"), ("session_id", sessionId)]);

        var (status, body) = await client.UploadAsync(form, ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal(JsonValueKind.String, body!["detail"]!.GetValueKind());
        Assert.True(source.BytesRead < Huge / 4, $"the server read {source.BytesRead} of {Huge} bytes");
        Assert.False(File.Exists(app.Machines.Last.HostPath("/app/big.bin")));
    }

    /// <summary>The part says it is 10 bytes; it is 64 MiB. Part headers are not trusted: the body limit still holds.</summary>
    [Fact]
    public async Task Upload_PartHeadersLieAboutTheSize_Returns413()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = UploadLimitedApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        var head = Encoding.UTF8.GetBytes(
            "--b\r\nContent-Disposition: form-data; name=\"session_id\"\r\n\r\n" + sessionId + "\r\n" +
            "--b\r\nContent-Disposition: form-data; name=\"remote_path\"\r\n\r\n/app/lie.bin\r\n" +
            "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"lie.bin\"\r\nContent-Length: 10\r\n\r\n");
        var source = new FillerStream(head, Huge);

        var (status, body) = await SendAsync(client, "POST", "/upload", source, declaredLength: null, "multipart/form-data; boundary=b", ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal(JsonValueKind.String, body!["detail"]!.GetValueKind());
        Assert.True(source.BytesRead < Huge / 4, $"the server read {source.BytesRead} of {Huge} bytes");
    }

    /// <summary>A multipart body that ends in the middle of a part (no closing boundary) is the client's error.</summary>
    [Fact]
    public async Task Upload_BodyEndsBeforeTheClosingBoundary_Returns400()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        var text = "--b\r\nContent-Disposition: form-data; name=\"session_id\"\r\n\r\n" + sessionId + "\r\n" +
            "--b\r\nContent-Disposition: form-data; name=\"remote_path\"\r\n\r\n/app/cut.bin\r\n" +
            "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.bin\"\r\n\r\nsome bytes and then nothing";
        var bytes = Encoding.UTF8.GetBytes(text);

        var (status, body) = await SendAsync(client, "POST", "/upload", new MemoryStream(bytes), bytes.Length, "multipart/form-data; boundary=b", ct);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(JsonValueKind.String, body!["detail"]!.GetValueKind());
        Assert.All(app.Machines.Started, m => Assert.False(File.Exists(m.HostPath("/app/cut.bin"))));
    }

    private static CapsuleApp UploadLimitedApp() =>
        new(settings: new Dictionary<string, string?> { ["Capsule:Files:MaxUploadBytes"] = (1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture) });

    private static string ContentTypeFor(string path) => path == "/download" ? "application/x-www-form-urlencoded" : "application/json";

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(
        HttpClient client, string method, string path, Stream source, long? declaredLength, string contentType, CancellationToken cancellationToken)
    {
        var content = new StreamContent(source);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (declaredLength is { } length)
            content.Headers.ContentLength = length;
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = content };
        var (status, text) = await client.SendRawAsync(request, cancellationToken);
        return (status, text.Length == 0 ? null : JsonNode.Parse(text));
    }
}
