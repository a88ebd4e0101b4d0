namespace Capsule.Vm;

/// <summary>
/// A shell on a pseudo terminal in the guest, owned by whoever opened it: disposing it kills the shell and everything
/// it started. Output is bounded end to end: the guest sends at most a window of bytes that <see cref="ReadAsync"/> has
/// not yet taken, so a reader that stops reading stops the guest's writer, not the host's memory.
/// </summary>
public interface IMachinePty : IAsyncDisposable
{
    /// <summary>Sends keystrokes (bytes as a terminal would, e.g. 0x03 for Ctrl-C).</summary>
    Task WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken);

    /// <summary>
    /// Copies terminal output into <paramref name="buffer"/>; 0 once the shell has exited and everything it printed has
    /// been read. Throws <see cref="MachineException"/> when the machine went away meanwhile. One reader at a time.
    /// </summary>
    ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Sets the window size; the guest's foreground job gets SIGWINCH.</summary>
    Task ResizeAsync(int cols, int rows, CancellationToken cancellationToken);

    /// <summary>The shell's exit status (128 + signal when killed); faults with <see cref="MachineException"/> if the machine went away.</summary>
    Task<int> Exited { get; }
}
