using Capsule.Agent.Protocol;

namespace Capsule.Vm.Agent;

internal sealed partial class AgentConnection
{
    /// <summary>Largest file_data payload either side sends.</summary>
    public const int FileChunkBytes = 256 * 1024;

    /// <summary>
    /// How long an upload or a download may wait on the guest for its next part (the agent taking a chunk, sending a
    /// chunk, or answering the end) before it is stopped with <see cref="MachineErrorCode.GuestError"/>. An agent that
    /// answers pings but drops a transfer would otherwise hold the request until the machine's lifetime ends. Waits on
    /// the client (its body, its reading) do not count.
    /// </summary>
    public TimeSpan FileIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// <c>write_file</c>, then the content as <c>file_data</c> frames of at most <see cref="FileChunkBytes"/>, then
    /// <c>file_end</c>; the agent answers <c>ok {size}</c> once the file is renamed into place, or <c>error</c>
    /// (possibly early, in which case the rest is not sent).
    /// </summary>
    /// <remarks>
    /// An upload that ends without <c>file_end</c> (the client went away, the body broke a limit, the token was
    /// cancelled, or the agent refused it early) sends <c>cancel {target_id}</c>, so the agent drops it now (deleting a
    /// partial temp file) rather than when the connection ends.
    /// </remarks>
    public async Task<long> WriteFileAsync(string path, Stream content, CancellationToken cancellationToken)
    {
        var call = new ReplyCall(MessageKind.WriteFile, MessageKind.Ok);
        var id = Register(call);
        var endSent = false;
        using var idle = new IdleDeadline(FileIdleTimeout, _time, cancellationToken);
        try
        {
            await SendToGuestAsync(new Frame(new AgentMessage { Kind = MessageKind.WriteFile, Id = id, Path = path }), idle).ConfigureAwait(false);
            var buffer = new byte[FileChunkBytes];
            long sent = 0;
            while (!call.Reply.IsCompleted)
            {
                var count = await content.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                if (count == 0)
                    break;
                // The frame is encoded (copied) before SendAsync returns, so the buffer can be reused.
                await SendToGuestAsync(new Frame(new AgentMessage { Kind = MessageKind.FileData, Id = id }, buffer.AsMemory(0, count)), idle).ConfigureAwait(false);
                sent += count;
            }
            if (!call.Reply.IsCompleted)
            {
                await SendToGuestAsync(new Frame(new AgentMessage { Kind = MessageKind.FileEnd, Id = id }), idle).ConfigureAwait(false);
                endSent = true;
            }
            idle.Arm();
            var reply = await call.Reply.WaitAsync(idle.Token).ConfigureAwait(false);
            if (reply.Kind == MessageKind.Error)
                throw AgentErrors.ForFile(reply, path);
            return reply.Size ?? sent;
        }
        catch (OperationCanceledException e) when (idle.Expired)
        {
            throw TransferStalled("upload to", path, idle, e);
        }
        finally
        {
            Unregister(id);
            // Without file_end the agent still holds the upload (a temp file, or the id of one it refused early).
            if (!endSent)
                await AbortUploadAsync(id).ConfigureAwait(false);
        }
    }

    /// <summary>Best effort, bounded, never throws: tells the agent to drop upload <paramref name="uploadId"/>.</summary>
    private async Task AbortUploadAsync(long uploadId)
    {
        if (ClosedReasonOrNull() is not null)
            return;
        try
        {
            // Nobody waits for its ok, so the id is not registered: the reply is dropped as one to no pending call.
            var id = Interlocked.Increment(ref _lastId);
            await SendAsync(new Frame(new AgentMessage { Kind = MessageKind.Cancel, Id = id, TargetId = uploadId }), CancellationToken.None)
                .WaitAsync(CancelGrace, _time).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or MachineException)
        {
            LogCancelUnconfirmed(_logger, _name, uploadId, e.Message);
        }
    }

    /// <summary>
    /// <c>read_file</c>; the agent answers <c>file_data</c> chunks then <c>file_end {size}</c>, or <c>error</c>.
    /// Chunks are copied into <paramref name="destination"/> as they come, with backpressure (see <see cref="ReadFileCall"/>).
    /// </summary>
    public async Task<long> ReadFileAsync(string path, Stream destination, CancellationToken cancellationToken)
    {
        var call = new ReadFileCall(path);
        var id = Register(call);
        using var idle = new IdleDeadline(FileIdleTimeout, _time, cancellationToken);
        try
        {
            await SendToGuestAsync(new Frame(new AgentMessage { Kind = MessageKind.ReadFile, Id = id, Path = path }), idle).ConfigureAwait(false);
            long received = 0;
            while (true)
            {
                idle.Arm();
                var more = await call.Frames.WaitToReadAsync(idle.Token).ConfigureAwait(false);
                idle.Disarm();
                if (!more)
                    break;
                while (call.Frames.TryRead(out var frame))
                {
                    if (frame.Header.Kind == MessageKind.FileEnd)
                        return frame.Header.Size ?? received;
                    await destination.WriteAsync(frame.Payload, cancellationToken).ConfigureAwait(false);
                    received += frame.Payload.Length;
                }
            }
            // Only the host ends the frames without file_end (it abandons the call), and then nobody reads on.
            throw new MachineException(MachineErrorCode.MachineGone, $"The guest agent's answer to read_file {id} ended without file_end.");
        }
        catch (OperationCanceledException e) when (idle.Expired)
        {
            throw TransferStalled("download of", path, idle, e);
        }
        finally
        {
            Unregister(id);
            call.Abandon();
        }
    }

    /// <summary>Sends a frame of a transfer; the wait for the guest to take it counts against <paramref name="idle"/>.</summary>
    private async Task SendToGuestAsync(Frame frame, IdleDeadline idle)
    {
        idle.Arm();
        await SendAsync(frame, idle.Token).ConfigureAwait(false);
        idle.Disarm();
    }

    private static MachineException TransferStalled(string what, string path, IdleDeadline idle, Exception inner) =>
        new(MachineErrorCode.GuestError,
            $"The guest agent made no progress on the {what} {path} for {idle.Limit.TotalSeconds:0.###} s; the transfer was stopped.",
            inner);
}
