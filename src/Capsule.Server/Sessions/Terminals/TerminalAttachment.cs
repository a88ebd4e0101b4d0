namespace Capsule.Server.Sessions.Terminals;

/// <summary>
/// One WebSocket's hold on a <see cref="Terminal"/>. <see cref="Superseded"/> fires when another attach takes over;
/// disposing detaches (and starts the reattach grace when it was the current one).
/// </summary>
internal sealed class TerminalAttachment(Terminal terminal) : IDisposable
{
    private readonly CancellationTokenSource _superseded = new();

    public Terminal Terminal => terminal;

    public CancellationToken Superseded => _superseded.Token;

    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken) => terminal.ReadAsync(buffer, cancellationToken);

    public Task WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken) => terminal.WriteAsync(input, cancellationToken);

    internal void Supersede()
    {
        try
        {
            _superseded.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already detached.
        }
    }

    public void Dispose()
    {
        terminal.Detach(this);
        _superseded.Dispose();
    }
}
