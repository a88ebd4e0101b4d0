namespace Capsule.Server.Files;

/// <summary>
/// A file part that arrived before the fields saying where it goes: kept on disk (never in memory) under
/// <c>&lt;data&gt;/uploads</c> until they are read, and deleted when disposed.
/// </summary>
internal sealed class UploadSpool : IAsyncDisposable
{
    private readonly FileStream _file;

    private UploadSpool(FileStream file) => _file = file;

    public Stream Content => _file;

    public static async Task<UploadSpool> WriteAsync(string folder, Stream source, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var file = new FileStream(Path.Combine(folder, $"{Guid.NewGuid():N}.part"), new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Options = FileOptions.Asynchronous | FileOptions.DeleteOnClose,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        try
        {
            await source.CopyToAsync(file, 256 * 1024, cancellationToken);
            file.Position = 0;
            return new UploadSpool(file);
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _file.DisposeAsync();
}
