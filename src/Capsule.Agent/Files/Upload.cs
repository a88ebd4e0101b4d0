using Capsule.Agent.Protocol;

namespace Capsule.Agent.Files;

/// <summary>
/// One <c>write_file</c> in progress: bytes go to a temp file next to the target, which is renamed
/// over the target at <c>file_end</c>, so a reader never sees half a file.
/// </summary>
internal sealed class Upload : IDisposable
{
    private readonly FileStream _stream;
    private readonly string _target;
    private readonly string _temp;
    private readonly UnixFileMode _mode;
    private bool _committed;

    private Upload(FileStream stream, string target, string temp, UnixFileMode mode)
    {
        _stream = stream;
        _target = target;
        _temp = temp;
        _mode = mode;
    }

    public long Size { get; private set; }

    /// <exception cref="FileError">The path is relative or a directory, or the file cannot be created.</exception>
    public static Upload Begin(string? path, int? mode)
    {
        FileError.RequireAbsolute(path);
        var target = Path.GetFullPath(path!);
        var name = Path.GetFileName(target);
        if (name.Length == 0 || Directory.Exists(target))
            throw new FileError(AgentErrorCode.IsDirectory, $"{target}: is a directory");
        var parent = Path.GetDirectoryName(target)!;
        var temp = Path.Join(parent, $".{name}.capsule-{Guid.NewGuid():N}");
        var unixMode = (UnixFileMode)(mode ?? Convert.ToInt32("644", 8)) & (UnixFileMode)0xFFF;
        try
        {
            Directory.CreateDirectory(parent);
            var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            return new Upload(stream, target, temp, unixMode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw FileError.FromIo(e, target);
        }
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        try
        {
            _stream.Write(bytes);
            Size += bytes.Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw FileError.FromIo(e, _target);
        }
    }

    /// <summary>Closes the temp file, applies the mode and renames it over the target.</summary>
    public long Commit()
    {
        try
        {
            _stream.Dispose();
            File.SetUnixFileMode(_temp, _mode);
            if (Directory.Exists(_target))
                throw new FileError(AgentErrorCode.IsDirectory, $"{_target}: is a directory");
            File.Move(_temp, _target, overwrite: true);
            _committed = true;
            return Size;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw FileError.FromIo(e, _target);
        }
    }

    /// <summary>Drops the temp file unless the upload was committed.</summary>
    public void Dispose()
    {
        _stream.Dispose();
        if (!_committed)
        {
            try
            {
                File.Delete(_temp);
            }
            catch (IOException)
            {
                // Best effort: a stray temp file is harmless.
            }
        }
    }
}
