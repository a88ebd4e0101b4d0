using System.Text;

namespace Capsule.Server.Tests.Files;

public sealed class UploadDownloadTests
{
    [Fact]
    public async Task Upload_FirstUse_SpawnsVmWritesFileAndReturnsExactShape()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var (status, body) = await client.UploadBytesAsync(sessionId, "/app/hello.txt", FileHttp.Utf8("hello\n"), ct);

        Assert.True(status == HttpStatusCode.OK, body?.ToJsonString());
        JsonShape.AssertJson("""{"status":"success","remote_path":"/app/hello.txt","size":6}""", body);
        var machine = Assert.Single(app.Machines.Started);
        Assert.Equal("hello\n", File.ReadAllText(machine.HostPath("/app/hello.txt")));
        Assert.Equal("active", (string?)(await client.StatusOkAsync(sessionId, ct))["vm_status"]);
    }

    [Fact]
    public async Task Download_Json_ReturnsBase64ContentInExactShape()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        byte[] bytes = [0, 1, 2, 250, 255, (byte)'"', (byte)'\n'];
        await client.UploadBytesAsync(sessionId, "/app/data.bin", bytes, ct);

        var (status, body) = await client.DownloadJsonAsync(sessionId, "/app/data.bin", ct);

        Assert.Equal(HttpStatusCode.OK, status);
        JsonShape.AssertJson($$"""{"status":"success","filename":"/app/data.bin","content":"{{Convert.ToBase64String(bytes)}}","size":7}""", body);
    }

    [Fact]
    public async Task Download_AcceptOctetStream_ReturnsRawBytes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        var bytes = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        await client.UploadBytesAsync(sessionId, "/tmp/raw.bin", bytes, ct);

        var (status, downloaded, contentType) = await client.DownloadRawAsync(sessionId, "/tmp/raw.bin", ct);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/octet-stream", contentType);
        Assert.Equal(bytes, downloaded);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(256 * 1024 - 1)]
    [InlineData(256 * 1024 + 1)]
    [InlineData(3 * 256 * 1024 + 2)]
    public async Task Download_Json_Base64StaysAlignedAcrossChunks(int size)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        await client.UploadBytesAsync(sessionId, "/app/f.bin", bytes, ct);

        var (status, body) = await client.DownloadJsonAsync(sessionId, "/app/f.bin", ct);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Convert.ToBase64String(bytes), (string?)body!["content"]);
        Assert.Equal(size, (long)body["size"]!);
    }

    [Fact]
    public async Task Upload_FilePartBeforeFields_StillWritten()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        using var form = FileHttp.UploadForm(new ByteArrayContent(FileHttp.Utf8("late fields")), "x.txt",
            [("remote_path", "/app/late.txt"), ("session_id", sessionId)], fileFirst: true);

        var (status, body) = await client.UploadAsync(form, ct);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(11, (long)body!["size"]!);
        Assert.Equal("late fields", File.ReadAllText(app.Machines.Last.HostPath("/app/late.txt")));
        Assert.Empty(Directory.Exists(Path.Combine(app.DataDirectory, "uploads"))
            ? Directory.GetFiles(Path.Combine(app.DataDirectory, "uploads")) : []);
    }

    [Fact]
    public async Task Upload_ApiKeyAsFormField_Accepted()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var anonymous = app.Client(apiKey: null);
        var sessionId = await anonymous.CreateSessionAsync(app.AdminKey, ct);
        using var form = FileHttp.UploadForm(new ByteArrayContent([1, 2, 3]), "a.bin",
            [("remote_path", "/app/a.bin"), ("session_id", sessionId), ("api_key", app.AdminKey)]);

        var (status, _) = await anonymous.UploadAsync(form, ct);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task Upload_NoKey_Returns401()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var anonymous = app.Client(apiKey: null);
        var sessionId = await anonymous.CreateSessionAsync(app.AdminKey, ct);

        var (status, body) = await anonymous.UploadBytesAsync(sessionId, "/app/a.bin", [1], ct);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        JsonShape.AssertJson("""{"detail":"Invalid API key or session expired"}""", body);
        Assert.Empty(app.Machines.Started);
    }

    [Fact]
    public async Task Upload_MissingEverything_Returns422ListingEachField()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        using var form = new MultipartFormDataContent { { new StringContent("maybe"), "recursive" } };

        var (status, body) = await client.UploadAsync(form, ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        JsonShape.AssertJson("""
            {"detail":[
              {"type":"missing","loc":["body","file"],"msg":"Field required","input":null},
              {"type":"missing","loc":["body","remote_path"],"msg":"Field required","input":null},
              {"type":"missing","loc":["body","session_id"],"msg":"Field required","input":null},
              {"type":"bool_parsing","loc":["body","recursive"],"msg":"Input should be a valid boolean, unable to interpret input","input":"maybe"}
            ]}
            """, body);
    }

    [Fact]
    public async Task Upload_NotMultipart_Returns422()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var (status, body) = await client.PostJsonAsync("/upload", new JsonObject { ["remote_path"] = "/app/x" }, ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(["file", "remote_path", "session_id"], body!["detail"]!.AsArray().Select(e => (string)e!["loc"]![1]!));
    }

    [Fact]
    public async Task Upload_RelativePath_ResolvesAgainstApp()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var (status, _) = await client.UploadBytesAsync(sessionId, "rel.txt", [1, 2, 3], ct);
        var (downloadStatus, body) = await client.DownloadJsonAsync(sessionId, "/app/rel.txt", ct);
        var (emptyStatus, emptyBody) = await client.UploadBytesAsync(sessionId, "", [1], ct);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, downloadStatus);
        Assert.Equal(Convert.ToBase64String([1, 2, 3]), (string?)body!["content"]);
        Assert.Equal(HttpStatusCode.BadRequest, emptyStatus);
        JsonShape.AssertJson("""{"detail":"remote_path must be a path inside the VM (e.g. /app/data.csv or data.csv), not ''"}""", emptyBody);
    }

    [Fact]
    public async Task Upload_MissingParentWithoutRecursive_Returns404()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var (status, body) = await client.UploadBytesAsync(sessionId, "/app/new/deep/x.txt", [1], ct);

        Assert.Equal(HttpStatusCode.NotFound, status);
        JsonShape.AssertJson("""{"detail":"Folder /app/new/deep does not exist in the VM; send recursive=true to create missing folders"}""", body);
        Assert.False(File.Exists(app.Machines.Last.HostPath("/app/new/deep/x.txt")));
    }

    [Fact]
    public async Task Upload_Recursive_CreatesMissingParents()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var (status, body) = await client.UploadBytesAsync(sessionId, "/app/new/deep/x.txt", FileHttp.Utf8("x"), ct, recursive: true);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("/app/new/deep/x.txt", (string?)body!["remote_path"]);
        Assert.Equal("x", File.ReadAllText(app.Machines.Last.HostPath("/app/new/deep/x.txt")));
    }

    [Fact]
    public async Task Upload_ParentIsAFile_Returns400()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        await client.UploadBytesAsync(sessionId, "/app/file", new byte[600_000], ct);

        var (status, body) = await client.UploadBytesAsync(sessionId, "/app/file/x.txt", [1], ct);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        JsonShape.AssertJson("""{"detail":"/app/file is a file in the VM, not a folder"}""", body);
    }

    [Fact]
    public async Task Upload_OntoADirectory_Returns400()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var (status, body) = await client.UploadBytesAsync(sessionId, "/app", [1], ct);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("Path is a directory: ", (string?)body!["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_TrailingSlash_UsesTheFilesOwnName()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var (status, body) = await client.UploadBytesAsync(sessionId, "/app/", FileHttp.Utf8("print(1)"), ct, fileName: "/home/me/script.py");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("/app/script.py", (string?)body!["remote_path"]);
        Assert.Equal("print(1)", File.ReadAllText(app.Machines.Last.HostPath("/app/script.py")));
    }

    [Fact]
    public async Task Upload_OtherKeysSession_Returns404()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var owner = app.Client(app.AdminKey);
        var sessionId = await owner.CreateSessionAsync(app.AdminKey, ct);
        var (_, otherKey) = await app.CreateKeyAsync(ct);
        using var other = app.Client(otherKey);

        var (status, body) = await other.UploadBytesAsync(sessionId, "/app/x", [1], ct);
        var (downloadStatus, _) = await other.DownloadJsonAsync(sessionId, "/etc/hostname", ct);

        Assert.Equal(HttpStatusCode.NotFound, status);
        JsonShape.AssertJson("""{"detail":"Session not found"}""", body);
        Assert.Equal(HttpStatusCode.NotFound, downloadStatus);
        Assert.Empty(app.Machines.Started);
    }

    [Fact]
    public async Task Download_MissingFile_Returns404()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var (status, body) = await client.DownloadJsonAsync(sessionId, "/app/nope.txt", ct);
        var (rawStatus, raw, rawType) = await client.DownloadRawAsync(sessionId, "/app/nope.txt", ct);

        Assert.Equal(HttpStatusCode.NotFound, status);
        JsonShape.AssertJson("""{"detail":"File not found: Guest path /app/nope.txt: no such file"}""", body);
        Assert.Equal(HttpStatusCode.NotFound, rawStatus);
        Assert.Equal("application/json", rawType);
        Assert.Contains("File not found", Encoding.UTF8.GetString(raw), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Download_Directory_Returns400()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var (status, body) = await client.DownloadJsonAsync(sessionId, "/app", ct);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        JsonShape.AssertJson("""{"detail":"Path is a directory: Guest path /app: is a directory"}""", body);
    }

    [Fact]
    public async Task Download_RelativePathResolvesAgainstApp_MissingFieldsAre422()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        await client.UploadBytesAsync(sessionId, "/app/x.txt", [7, 8], ct);
        var (relative, relativeBody) = await client.DownloadJsonAsync(sessionId, "x.txt", ct);
        using var empty = new HttpRequestMessage(HttpMethod.Post, "/download") { Content = new FormUrlEncodedContent([]) };
        var (missing, missingText) = await client.SendRawAsync(empty, ct);

        Assert.Equal(HttpStatusCode.OK, relative);
        Assert.Equal(Convert.ToBase64String([7, 8]), (string?)relativeBody!["content"]);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing);
        JsonShape.AssertJson("""
            {"detail":[
              {"type":"missing","loc":["body","filename"],"msg":"Field required","input":null},
              {"type":"missing","loc":["body","session_id"],"msg":"Field required","input":null}
            ]}
            """, JsonNode.Parse(missingText));
    }
}
