using Capsule.Agent.Protocol;

namespace Capsule.Agent.Files;

/// <summary>
/// The uploads of one connection, keyed by request id. An id whose upload failed is remembered
/// until its <c>file_end</c>, so the rest of its frames are ignored after the one error reply.
/// Each method returns the reply to send, or null for none.
/// </summary>
internal sealed class FileUploads : IDisposable
{
    private readonly Dictionary<long, Upload?> _uploads = [];

    public AgentMessage? Begin(AgentMessage request)
    {
        if (_uploads.ContainsKey(request.Id))
            return Error(request.Id, new FileError(AgentErrorCode.Busy, $"Upload {request.Id} is already in progress."));
        try
        {
            _uploads[request.Id] = Upload.Begin(request.Path, request.Mode);
            return null;
        }
        catch (FileError e)
        {
            _uploads[request.Id] = null;
            return Error(request.Id, e);
        }
    }

    public AgentMessage? Data(long id, ReadOnlySpan<byte> bytes)
    {
        if (!_uploads.TryGetValue(id, out var upload) || upload is null)
            return null;
        try
        {
            upload.Write(bytes);
            return null;
        }
        catch (FileError e)
        {
            Fail(id, upload);
            return Error(id, e);
        }
    }

    public AgentMessage? End(long id)
    {
        if (!_uploads.Remove(id, out var upload) || upload is null)
            return null;
        using (upload)
        {
            try
            {
                var size = upload.Commit();
                return new AgentMessage { Kind = MessageKind.Ok, Id = id, Size = size };
            }
            catch (FileError e)
            {
                return Error(id, e);
            }
        }
    }

    /// <summary>
    /// The host gave up on upload <paramref name="id"/> (a <c>cancel</c> naming it): delete its temp file and forget it.
    /// False when no upload has that id.
    /// </summary>
    public bool Abort(long id)
    {
        if (!_uploads.Remove(id, out var upload))
            return false;
        upload?.Dispose();
        return true;
    }

    public void Dispose()
    {
        foreach (var upload in _uploads.Values)
            upload?.Dispose();
        _uploads.Clear();
    }

    private void Fail(long id, Upload upload)
    {
        upload.Dispose();
        _uploads[id] = null;
    }

    private static AgentMessage Error(long id, FileError e) =>
        new() { Kind = MessageKind.Error, Id = id, ErrorCode = e.Code, Message = e.Message };
}
