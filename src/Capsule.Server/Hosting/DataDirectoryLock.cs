namespace Capsule.Server.Hosting;

/// <summary>
/// Holds <c>&lt;data&gt;/capsule.lock</c> exclusively (an flock) for the life of the server. A second server started on
/// the same data directory refuses to start, instead of marking the first one's live sessions lost and letting the
/// run-folder janitor kill its VMs. The lock goes with the process, however it ends.
/// </summary>
internal sealed class DataDirectoryLock(CapsulePaths paths) : IDisposable
{
    private FileStream? _held;

    public void Acquire()
    {
        try
        {
            _held = new FileStream(paths.LockFile, new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException(
                $"Another Capsule server is using the data directory {paths.DataDirectory}; stop it, or give this one its own {HostingExtensions.DataDirectoryVariable}",
                ex);
        }
    }

    public void Dispose() => _held?.Dispose();
}
