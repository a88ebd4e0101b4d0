using System.Threading.Channels;
using Capsule.Agent.Protocol;

namespace Capsule.Vm.Agent;

/// <summary>
/// A file coming from the guest. Frames pass through a small bounded channel: when the consumer is slow the
/// connection's reader waits, the socket fills and the guest stops sending, so a large file never sits in memory.
/// </summary>
internal sealed class ReadFileCall(string path) : PendingCall
{
    /// <summary>At most this many 256 KiB chunks wait for the consumer.</summary>
    public const int BufferedChunks = 8;

    private readonly Channel<Frame> _frames = Channel.CreateBounded<Frame>(
        new BoundedChannelOptions(BufferedChunks) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>file_data frames, then the file_end frame; completes with a <see cref="MachineException"/> on error.</summary>
    public ChannelReader<Frame> Frames => _frames.Reader;

    public override string RequestKind => MessageKind.ReadFile;

    public override bool Accepts(string kind) => kind is MessageKind.FileData or MessageKind.FileEnd or MessageKind.Error;

    public override async ValueTask<bool> OnFrameAsync(Frame frame, CancellationToken cancellationToken)
    {
        switch (frame.Header.Kind)
        {
            case MessageKind.FileData:
                await DeliverAsync(frame, cancellationToken).ConfigureAwait(false);
                return false;
            case MessageKind.FileEnd:
                await DeliverAsync(frame, cancellationToken).ConfigureAwait(false);
                _frames.Writer.TryComplete();
                return true;
            case MessageKind.Error:
                _frames.Writer.TryComplete(AgentErrors.ForFile(frame.Header, path));
                return true;
            default:
                throw new InvalidOperationException($"The reader loop delivered a {frame.Header.Kind} frame that read_file does not accept.");
        }
    }

    public override void Fail(Exception exception) => _frames.Writer.TryComplete(exception);

    /// <summary>The consumer gave up: a reader waiting on a full channel is released and later frames are dropped.</summary>
    public void Abandon() => _frames.Writer.TryComplete();

    private async ValueTask DeliverAsync(Frame frame, CancellationToken cancellationToken)
    {
        try
        {
            await _frames.Writer.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // Abandoned by the consumer: drop the rest of the file.
        }
    }
}
