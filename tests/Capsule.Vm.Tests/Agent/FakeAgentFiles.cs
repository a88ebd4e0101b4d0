using Capsule.Agent.Protocol;

namespace Capsule.Vm.Tests.Agent;

/// <summary>
/// A file store behind a <see cref="FakeAgent.Peer"/>: serves write_file/read_file (and fails on paths the test marks)
/// until the host closes the connection. Records the largest file_data payload the host sent.
/// </summary>
internal sealed class FakeAgentFiles(FakeAgent.Peer peer)
{
    private readonly Dictionary<string, byte[]> _files = [];
    private readonly Dictionary<long, (string Path, MemoryStream Content)> _writes = [];

    public int LargestChunkReceived { get; private set; }

    /// <summary>Paths that answer with this error code instead.</summary>
    public Dictionary<string, string> Errors { get; } = [];

    public async Task ServeAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
                await HandleAsync(await peer.ReadAsync(cancellationToken), cancellationToken);
        }
        catch (EndOfStreamException)
        {
            // The host disconnected: done.
        }
    }

    private async Task HandleAsync(Frame frame, CancellationToken cancellationToken)
    {
        var header = frame.Header;
        switch (header.Kind)
        {
            case MessageKind.WriteFile when Errors.TryGetValue(header.Path!, out var code):
                await peer.SendAsync(new AgentMessage { Kind = MessageKind.Error, Id = header.Id, ErrorCode = code, Message = $"{code}: {header.Path}" }, cancellationToken);
                break;
            case MessageKind.WriteFile:
                _writes[header.Id] = (header.Path!, new MemoryStream());
                break;
            case MessageKind.FileData when _writes.TryGetValue(header.Id, out var write):
                LargestChunkReceived = Math.Max(LargestChunkReceived, frame.Payload.Length);
                write.Content.Write(frame.Payload.Span);
                break;
            case MessageKind.FileEnd when _writes.Remove(header.Id, out var write):
                _files[write.Path] = write.Content.ToArray();
                await peer.SendAsync(new AgentMessage { Kind = MessageKind.Ok, Id = header.Id, Size = write.Content.Length }, cancellationToken);
                break;
            case MessageKind.ReadFile:
                await SendFileAsync(header, cancellationToken);
                break;
        }
    }

    private async Task SendFileAsync(AgentMessage request, CancellationToken cancellationToken)
    {
        var path = request.Path!;
        var code = Errors.GetValueOrDefault(path) ?? (_files.ContainsKey(path) ? null : AgentErrorCode.NotFound);
        if (code is not null)
        {
            await peer.SendAsync(new AgentMessage { Kind = MessageKind.Error, Id = request.Id, ErrorCode = code, Message = $"{code}: {path}" }, cancellationToken);
            return;
        }
        var content = _files[path];
        for (var offset = 0; offset < content.Length; offset += 256 * 1024)
        {
            var chunk = content.AsSpan(offset, Math.Min(256 * 1024, content.Length - offset)).ToArray();
            await peer.SendAsync(new AgentMessage { Kind = MessageKind.FileData, Id = request.Id }, chunk, cancellationToken);
        }
        await peer.SendAsync(new AgentMessage { Kind = MessageKind.FileEnd, Id = request.Id, Size = content.Length }, cancellationToken);
    }
}
