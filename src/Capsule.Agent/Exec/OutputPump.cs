using Capsule.Agent.Native;

namespace Capsule.Agent.Exec;

/// <summary>
/// Moves bytes from a child's non-blocking stdout/stderr pipe to the exec's output frames, up to
/// 64 KiB per read and frame, as soon as they are read.
/// </summary>
internal sealed class OutputPump
{
    private readonly byte[] _buffer = new byte[64 * 1024];

    /// <summary>Reads once; false at end of file (every writer closed its end).</summary>
    public bool Pump(int fd, string stream, ExecHandle? target)
    {
        var n = Fd.TryRead(fd, _buffer);
        if (n > 0)
            target?.Output(stream, _buffer.AsMemory(0, n));
        return n != 0;
    }

    /// <summary>At most this much per <see cref="Drain"/>: more than a pipe holds (64 KiB unless resized).</summary>
    public const int DrainLimitBytes = 1024 * 1024;

    /// <summary>
    /// Forwards what is already in the pipe without waiting for more, up to <see cref="DrainLimitBytes"/>: a
    /// background writer that outlives the exec (<c>yes &amp;</c>, a fork bomb's tracebacks) refills the pipe as fast
    /// as it is read, and must not keep the drain going forever.
    /// </summary>
    public void Drain(int fd, string stream, ExecHandle? target)
    {
        var total = 0;
        int n;
        while (total < DrainLimitBytes && (n = Fd.TryRead(fd, _buffer)) > 0)
        {
            total += n;
            target?.Output(stream, _buffer.AsMemory(0, n));
        }
    }
}
