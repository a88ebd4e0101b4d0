using Capsule.Server.Api.Errors;
using Capsule.Server.Files;
using Capsule.Vm;

namespace Capsule.Server.Sessions;

/// <summary>
/// Checks that the folder a file would go into exists in the guest, without running anything there: reading a folder
/// answers <c>is_directory</c>, a missing one <c>not_found</c>; a regular file starts to stream and is cut off at once.
/// </summary>
internal static class ParentFolder
{
    public static async Task RequireAsync(IMachine machine, string path, CancellationToken cancellationToken)
    {
        var parent = GuestPath.ParentOf(path);
        if (parent == "/")
            return;
        using var cutOff = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var probe = new FirstByteProbe(cutOff);
        try
        {
            await machine.ReadFileAsync(parent, probe, cutOff.Token);
        }
        catch (MachineException ex) when (ex.Code == MachineErrorCode.IsDirectory)
        {
            return;
        }
        catch (MachineException ex) when (ex.Code == MachineErrorCode.FileNotFound)
        {
            throw new CapsuleException(ErrorCode.NotFound,
                $"Folder {parent} does not exist in the VM; send recursive=true to create missing folders");
        }
        catch (OperationCanceledException) when (probe.SawData && !cancellationToken.IsCancellationRequested)
        {
            // A regular file: handled below.
        }
        throw new CapsuleException(ErrorCode.InvalidArgument, $"{parent} is a file in the VM, not a folder");
    }

    /// <summary>Cancels the read at the first byte: only whether data comes matters.</summary>
    private sealed class FirstByteProbe(CancellationTokenSource cutOff) : Stream
    {
        public bool SawData { get; private set; }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write([], 0, 0);
            return ValueTask.CompletedTask;
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            SawData = true;
            cutOff.Cancel();
        }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
