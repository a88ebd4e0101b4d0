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

    /// <summary>Forwards whatever is already in the pipe without waiting for more.</summary>
    public void Drain(int fd, string stream, ExecHandle? target)
    {
        int n;
        while ((n = Fd.TryRead(fd, _buffer)) > 0)
            target?.Output(stream, _buffer.AsMemory(0, n));
    }
}
