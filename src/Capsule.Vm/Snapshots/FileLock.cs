namespace Capsule.Vm.Snapshots;

/// <summary>
/// An exclusive advisory lock on a file (flock, which .NET takes for <see cref="FileShare.None"/> on Linux), shared with
/// every other process that builds snapshots: servers, the snapshot command, tests. Released on dispose or process death.
/// </summary>
internal sealed class FileLock : IDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);
    private readonly FileStream _stream;

    private FileLock(FileStream stream) => _stream = stream;

    /// <summary>The lock, or null if another holder has it.</summary>
    public static FileLock? TryAcquire(string path)
    {
        try
        {
            return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Waits for the lock; <paramref name="onWaiting"/> runs once if it is held by someone else.</summary>
    public static async Task<FileLock> AcquireAsync(string path, Action? onWaiting, CancellationToken cancellationToken)
    {
        var waited = false;
        while (true)
        {
            if (TryAcquire(path) is { } acquired)
                return acquired;
            if (!waited)
                onWaiting?.Invoke();
            waited = true;
            await Task.Delay(RetryDelay, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _stream.Dispose();
}
