namespace Capsule.Client.Tests.Sdk;

/// <summary>Uploads and downloads through the SDK: bytes in, the same bytes out, streamed both ways.</summary>
public sealed class FileTests : SdkSessionTest
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("capsule-ct-files-").FullName;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_scratch, recursive: true);
    }

    [Fact]
    public async Task UploadAsync_Stream_WritesTheGuestFile()
    {
        var bytes = RandomBytes(1 << 20);

        var result = await Session.UploadAsync(new MemoryStream(bytes), "/app/data/blob.bin", Bounded.Token).Bound();

        Assert.Equal("/app/data/blob.bin", result.RemotePath);
        Assert.Equal(bytes.Length, result.Size);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Assert.Single(App.Machines.Started).HostPath("/app/data/blob.bin"), Bounded.Token));
    }

    [Fact]
    public async Task DownloadAsync_ToStream_CopiesTheBytes()
    {
        var bytes = RandomBytes(300_000);
        await Session.UploadAsync(new MemoryStream(bytes), "/app/out.bin", Bounded.Token).Bound();
        using var destination = new MemoryStream();

        var size = await Session.DownloadAsync("/app/out.bin", destination, Bounded.Token).Bound();

        Assert.Equal(bytes.Length, size);
        Assert.Equal(bytes, destination.ToArray());
    }

    [Fact]
    public async Task UploadFileAsync_ThenDownloadFileAsync_RoundTripsAndLeavesNoTemporaryFile()
    {
        var local = Path.Combine(_scratch, "report.csv");
        await File.WriteAllTextAsync(local, "a,b\n1,2\n", Bounded.Token);

        var uploaded = await Session.UploadFileAsync(local, "/app/", Bounded.Token).Bound();
        var target = Path.Combine(_scratch, "back.csv");
        var size = await Session.DownloadFileAsync(uploaded.RemotePath, target, Bounded.Token).Bound();

        Assert.Equal("/app/report.csv", uploaded.RemotePath);
        Assert.Equal(8, size);
        Assert.Equal("a,b\n1,2\n", await File.ReadAllTextAsync(target, Bounded.Token));
        Assert.Equal(["back.csv", "report.csv"], Directory.GetFiles(_scratch).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task DownloadAsync_MissingFile_ThrowsNotFoundNotSessionNotFound()
    {
        await Session.UploadAsync(new MemoryStream([1]), "/app/present", Bounded.Token).Bound();

        var error = await Assert.ThrowsAsync<NotFoundException>(() => Session.DownloadAsync("/app/absent", Stream.Null, Bounded.Token)).Bound();

        Assert.IsNotType<SessionNotFoundException>(error);
        Assert.Contains("/app/absent", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadFileAsync_MissingFile_CreatesNoLocalFile()
    {
        await Session.UploadAsync(new MemoryStream([1]), "/app/present", Bounded.Token).Bound();

        await Assert.ThrowsAsync<NotFoundException>(
            () => Session.DownloadFileAsync("/app/absent", Path.Combine(_scratch, "absent"), Bounded.Token)).Bound();

        Assert.Empty(Directory.GetFiles(_scratch));
    }

    [Fact]
    public async Task DownloadAsync_UnknownSession_ThrowsSessionNotFound()
    {
        var stranger = Client.GetSession(Guid.NewGuid().ToString());

        await Assert.ThrowsAsync<SessionNotFoundException>(() => stranger.DownloadAsync("/app/x", Stream.Null, Bounded.Token)).Bound();
    }

    [Fact]
    public async Task UploadAsync_RelativePath_LandsUnderApp()
    {
        await Session.UploadAsync(new MemoryStream([1, 2]), "relative/two", Bounded.Token).Bound();

        var copy = new MemoryStream();
        await Session.DownloadAsync("/app/relative/two", copy, Bounded.Token).Bound();
        Assert.Equal([1, 2], copy.ToArray());
    }

    [Fact]
    public async Task UploadAsync_OntoAFolder_ThrowsBadRequest()
    {
        var error = await Assert.ThrowsAnyAsync<CapsuleApiException>(
            () => Session.UploadAsync(new MemoryStream([1, 2]), "/app", Bounded.Token)).Bound();

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
    }

    [Fact]
    public async Task UploadAsync_CallersStream_IsLeftOpen()
    {
        var content = new MemoryStream([1, 2, 3]);

        await Session.UploadAsync(content, "/app/three", Bounded.Token).Bound();

        Assert.True(content.CanRead);
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(count).NextBytes(bytes);
        return bytes;
    }
}
