using Capsule.Agent.Connection;
using Capsule.Agent.Protocol;

namespace Capsule.Agent.Files;

/// <summary>
/// One <c>read_file</c>: <c>file_data</c> frames of at most <see cref="ChunkBytes"/> read straight
/// from the file (never the whole file in memory), then <c>file_end</c> with the size; or one error.
/// </summary>
internal static class FileDownload
{
    public const int ChunkBytes = 256 * 1024;

    public static async Task SendAsync(HostChannel channel, long id, string? path)
    {
        FileStream stream;
        try
        {
            FileError.RequireAbsolute(path);
            if (Directory.Exists(path))
                throw new FileError(AgentErrorCode.IsDirectory, $"{path}: is a directory");
            if (!File.Exists(path))
                throw new FileError(AgentErrorCode.NotFound, $"{path}: no such file or directory");
            stream = OpenRead(path!);
        }
        catch (FileError e)
        {
            await channel.SendAsync(new AgentMessage { Kind = MessageKind.Error, Id = id, ErrorCode = e.Code, Message = e.Message });
            return;
        }

        await using (stream)
        {
            var buffer = new byte[ChunkBytes];
            long size = 0;
            try
            {
                int n;
                while ((n = await stream.ReadAsync(buffer)) > 0)
                {
                    size += n;
                    await channel.SendAsync(new AgentMessage { Kind = MessageKind.FileData, Id = id }, buffer.AsMemory(0, n));
                    if (channel.IsClosed)
                        return;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                var error = FileError.FromIo(e, path!);
                await channel.SendAsync(new AgentMessage { Kind = MessageKind.Error, Id = id, ErrorCode = error.Code, Message = error.Message });
                return;
            }
            await channel.SendAsync(new AgentMessage { Kind = MessageKind.FileEnd, Id = id, Size = size });
        }
    }

    private static FileStream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw FileError.FromIo(e, path);
        }
    }
}
