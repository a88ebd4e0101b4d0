using System.Text;

namespace Capsule.Server.Tests.Fuzz;

/// <summary>The 5xx the generated-input test found, each pinned by a plain test of its own.</summary>
public sealed class FuzzFindingsTests
{
    private const string Unicode422 = "Input should be a valid string, unable to parse raw data as a unicode string";

    /// <summary>An escaped lone surrogate parses as JSON but cannot be decoded; it used to throw on first read (500).</summary>
    [Theory]
    [InlineData("""{"api_key":"KEY","vcpu_count":"a\ud83d"}""", """["body","vcpu_count"]""")]
    [InlineData("""{"api_key":"KEY","metadata":{"note":"\udfff\ud800"}}""", """["body","metadata","note"]""")]
    [InlineData("""{"api_key":"KEY","env":{"\ud800":"x"}}""", """["body","env"]""")]
    public async Task CreateSession_LoneSurrogateAnywhere_Returns422StringUnicode(string body, string loc)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(apiKey: null);

        var (status, json) = await client.PostRawAsync("/v1/sessions/session", body.Replace("KEY", app.AdminKey, StringComparison.Ordinal), ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        JsonShape.AssertJson($$"""{"detail":[{"type":"string_unicode","loc":{{loc}},"msg":"{{Unicode422}}","input":null}]}""", json);
    }

    [Fact]
    public async Task Sandboxes_MetadataQueryWithLoneSurrogate_Returns422()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var (status, json) = await client.GetJsonAsync("/v1/sessions/sandboxes?metadata=" + Uri.EscapeDataString("""{"a":"\ud800"}"""), ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        JsonShape.AssertJson($$"""{"detail":[{"type":"string_unicode","loc":["query","metadata","a"],"msg":"{{Unicode422}}","input":null}]}""", json);
    }

    /// <summary>A folder remote_path takes the part's file name; a NUL in that name reached the VM (500).</summary>
    [Fact]
    public async Task Upload_IntoFolderWithNulInFileName_Returns400()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var body = "--b\r\nContent-Disposition: form-data; name=\"remote_path\"\r\n\r\n/app/\r\n" +
            $"--b\r\nContent-Disposition: form-data; name=\"session_id\"\r\n\r\n{sessionId}\r\n" +
            "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\0b.txt\"\r\n\r\nabc\r\n--b--\r\n";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/upload") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=b");

        var (status, text) = await client.SendRawAsync(request, ct);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(JsonValueKind.String, JsonNode.Parse(text)!["detail"]!.GetValueKind());
        Assert.Empty(app.Machines.Started);
    }

    /// <summary>Form limits of the framework (here: more than 1024 fields) threw InvalidDataException (500).</summary>
    [Fact]
    public async Task Download_FormOverTheFrameworksFieldLimit_Returns400()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        var form = string.Concat(Enumerable.Repeat("a=1&", 1100)) + $"filename=%2Fapp%2Fx&session_id={sessionId}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/download")
        {
            Content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };

        var (status, text) = await client.SendRawAsync(request, ct);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("{\"detail\":\"The request body is malformed: ", text, StringComparison.Ordinal);
    }
}
