using Capsule.Agent.Env;
using Capsule.Agent.Exec;
using Capsule.Agent.Files;
using Capsule.Agent.Hosting;
using Capsule.Agent.Logging;
using Capsule.Agent.Native;
using Capsule.Agent.Protocol;
using Capsule.Agent.Pty;
using Capsule.Agent.Stats;
using Microsoft.Extensions.Logging;

namespace Capsule.Agent.Connection;

/// <summary>
/// Serves one host connection: reads frames until the host goes away and answers each kind (see
/// docs/agent-protocol.md). Execs and file reads run elsewhere and reply through the
/// <see cref="HostChannel"/>; everything else is answered here, in order. When the connection ends,
/// in-flight execs are stopped (their process trees killed; the python interpreter stays) and
/// unfinished uploads are dropped.
/// </summary>
internal sealed class RequestDispatcher(AgentRuntime runtime, HostChannel channel, ILogger logger) : IDisposable
{
    public const string Version = "1";

    private readonly object _gate = new();
    private readonly Dictionary<long, ExecHandle> _execs = [];
    private readonly FileUploads _uploads = new();
    private readonly PtyTable _ptys = new(runtime.Pty, channel, logger);
    private string? _reseededWith;

    /// <summary>
    /// Reads and dispatches frames until the host goes away. Blocks the calling thread, which should
    /// be a dedicated one: on the virtio port a read blocks in poll(2), and a pool thread parked
    /// there would starve the pool of a one-vCPU guest.
    /// </summary>
    public void Run(Stream stream, CancellationToken cancellationToken)
    {
        var reader = new FrameReader(stream);
        try
        {
            while (true)
            {
                Frame? frame;
                try
                {
                    frame = reader.ReadAsync(cancellationToken).AsTask().GetAwaiter().GetResult();
                }
                catch (InvalidDataException)
                {
                    continue; // a whole frame whose header is JSON null: skipped like any malformed frame
                }
                if (frame is null)
                    break;
                DispatchAsync(frame).AsTask().GetAwaiter().GetResult();
            }
        }
        catch (IOException)
        {
            // A reset connection ends like a closed one.
        }
        finally
        {
            Disconnect();
        }
    }

    private ValueTask DispatchAsync(Frame frame)
    {
        var request = frame.Header;
        logger.FrameReceived(request.Kind, request.Id);
        switch (request.Kind)
        {
            case MessageKind.Ping:
                ReseedOnce(request.Nonce);
                return channel.SendAsync(new AgentMessage { Kind = MessageKind.Pong, Id = request.Id, Nonce = request.Nonce, Version = Version });
            case MessageKind.SetEnv:
                return SetEnvAsync(request);
            case MessageKind.Exec:
                return StartExecAsync(request);
            case MessageKind.Cancel:
                _ = CancelAsync(request);
                return ValueTask.CompletedTask;
            case MessageKind.WriteFile:
                return ReplyAsync(_uploads.Begin(request));
            case MessageKind.FileData:
                return ReplyAsync(_uploads.Data(request.Id, frame.Payload.Span));
            case MessageKind.FileEnd:
                return ReplyAsync(_uploads.End(request.Id));
            case MessageKind.ReadFile:
                // Its own thread: a long transfer to a slow host blocks in writes.
                _ = Task.Factory.StartNew(() => FileDownload.SendAsync(channel, request.Id, request.Path).GetAwaiter().GetResult(),
                    CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                return ValueTask.CompletedTask;
            case MessageKind.Stats:
                return StatsAsync(request.Id);
            case MessageKind.PtyOpen:
                return channel.SendAsync(_ptys.Open(request));
            case MessageKind.PtyInput:
                _ptys.Input(request.Id, frame.Payload.Span);
                return ValueTask.CompletedTask;
            case MessageKind.PtyResize:
                _ptys.Resize(request);
                return ValueTask.CompletedTask;
            case MessageKind.PtyCredit:
                _ptys.Grant(request);
                return ValueTask.CompletedTask;
            case MessageKind.PtyClose:
                _ptys.Close(request.Id);
                return ValueTask.CompletedTask;
            default:
                return ErrorAsync(request.Id, AgentErrorCode.BadRequest, $"Unknown message kind '{request.Kind}'.");
        }
    }

    /// <summary>A new connection's first ping carries a fresh host nonce: mix it into the guest's CRNG (see <see cref="Entropy"/>).</summary>
    private void ReseedOnce(string? nonce)
    {
        if (nonce is null || nonce == _reseededWith)
            return;
        _reseededWith = nonce;
        Entropy.MixAndReseed(nonce);
    }

    private ValueTask SetEnvAsync(AgentMessage request)
    {
        if (request.Env is not { } values)
            return ErrorAsync(request.Id, AgentErrorCode.BadRequest, "set_env needs env.");
        var invalid = values.Keys.Where(k => !SessionEnv.IsValidName(k)).ToList();
        if (invalid.Count > 0)
            return ErrorAsync(request.Id, AgentErrorCode.BadRequest, $"Invalid variable names: {string.Join(", ", invalid)}.");
        if (values.Any(kv => kv.Value.Contains('\0', StringComparison.Ordinal)))
            return ErrorAsync(request.Id, AgentErrorCode.BadRequest, "Variable values cannot contain NUL.");
        runtime.ApplyEnv(values);
        return channel.SendAsync(new AgentMessage { Kind = MessageKind.Ok, Id = request.Id });
    }

    private ValueTask StartExecAsync(AgentMessage request)
    {
        if (request.Code is not { } code)
            return ErrorAsync(request.Id, AgentErrorCode.BadRequest, "exec needs code.");
        var language = request.Language ?? ExecLanguage.Python;
        if (language is not (ExecLanguage.Python or ExecLanguage.Bash or ExecLanguage.Auto))
            return ErrorAsync(request.Id, AgentErrorCode.BadRequest, $"Unknown language '{language}'.");
        TimeSpan? timeout = request.TimeoutMs is > 0 and var ms ? TimeSpan.FromMilliseconds(ms) : null;
        long? outputLimit = request.OutputLimitBytes is > 0 and var bytes ? bytes : null;
        var exec = new ExecHandle(request.Id, code, timeout, outputLimit, channel, Forget, logger);
        bool added;
        lock (_gate)
            added = _execs.TryAdd(request.Id, exec);
        if (!added)
            return ErrorAsync(request.Id, AgentErrorCode.Busy, $"Exec {request.Id} is already running.");
        if (language == ExecLanguage.Bash || (language == ExecLanguage.Auto && !runtime.Python.Available))
            runtime.Bash.Start(exec);
        else if (runtime.Python.Available)
            runtime.Python.Enqueue(exec, auto: language == ExecLanguage.Auto);
        else if (exec.TryStart())
        {
            exec.Output(OutputStream.Stderr, "capsule-agent: python3 is not installed\n"u8.ToArray());
            exec.Complete(127, timedOut: false, wallMs: 0, cpuMs: 0);
        }
        return ValueTask.CompletedTask;
    }

    private ValueTask StatsAsync(long id)
    {
        GuestStats stats;
        try
        {
            stats = GuestStatsReader.Read();
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return ErrorAsync(id, AgentErrorCode.Io, $"Cannot read /proc: {e.Message}");
        }
        return channel.SendAsync(new AgentMessage { Kind = MessageKind.StatsResult, Id = id, Stats = stats });
    }

    /// <summary>
    /// Stops the exec, or drops the upload, that <c>target_id</c> names, then answers <c>ok</c>. The upload is dropped
    /// here, on the dispatcher's thread, before the first await: uploads are only ever touched from that thread.
    /// </summary>
    private async Task CancelAsync(AgentMessage request)
    {
        if (request.TargetId is { } uploadId && _uploads.Abort(uploadId))
        {
            await channel.SendAsync(new AgentMessage { Kind = MessageKind.Ok, Id = request.Id });
            return;
        }
        ExecHandle? target = null;
        lock (_gate)
        {
            if (request.TargetId is { } id)
                _execs.TryGetValue(id, out target);
        }
        if (target is not null)
        {
            target.RequestStop(ExecStop.Cancelled);
            await target.Finished;
        }
        await channel.SendAsync(new AgentMessage { Kind = MessageKind.Ok, Id = request.Id });
    }

    private void Forget(long id)
    {
        lock (_gate)
            _execs.Remove(id);
    }

    private void Disconnect()
    {
        channel.Close();
        List<ExecHandle> running;
        lock (_gate)
            running = [.. _execs.Values];
        logger.HostDisconnected(running.Count);
        foreach (var exec in running)
            exec.RequestStop(ExecStop.Disconnected);
        _uploads.Dispose();
        _ptys.CloseAll();
    }

    private ValueTask ReplyAsync(AgentMessage? reply) =>
        reply is null ? ValueTask.CompletedTask : channel.SendAsync(reply);

    private ValueTask ErrorAsync(long id, string code, string message) =>
        channel.SendAsync(new AgentMessage { Kind = MessageKind.Error, Id = id, ErrorCode = code, Message = message });

    public void Dispose() => _uploads.Dispose();
}
