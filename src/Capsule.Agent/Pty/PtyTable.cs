using Capsule.Agent.Connection;
using Capsule.Agent.Logging;
using Capsule.Agent.Protocol;
using Microsoft.Extensions.Logging;

namespace Capsule.Agent.Pty;

/// <summary>
/// The PTYs of one host connection, by the id of their <c>pty_open</c>. Frames for an unknown or finished PTY are
/// ignored (a keystroke racing the shell's exit is not an error). When the connection ends, every PTY is killed.
/// </summary>
internal sealed class PtyTable(PtyLaunch launch, HostChannel channel, ILogger logger)
{
    public const int MaxDimension = 1000;
    private const long DefaultCreditBytes = 64 * 1024;

    private readonly object _gate = new();
    private readonly Dictionary<long, PtySession> _sessions = [];

    /// <summary>Starts the shell and answers <c>ok</c>, or answers <c>error</c>.</summary>
    public AgentMessage Open(AgentMessage request)
    {
        var shell = request.Shell ?? ShellChoice.Default;
        if (request.Cols is not (>= 1 and <= MaxDimension) || request.Rows is not (>= 1 and <= MaxDimension))
            return Error(request.Id, AgentErrorCode.BadRequest, $"pty_open needs cols and rows from 1 to {MaxDimension}.");
        if (ShellChoice.Refusal(shell) is { } refusal)
            return Error(request.Id, File.Exists(shell) || !ShellChoice.Allowed.Contains(shell) ? AgentErrorCode.BadRequest : AgentErrorCode.NotFound, refusal);
        lock (_gate)
        {
            if (_sessions.ContainsKey(request.Id))
                return Error(request.Id, AgentErrorCode.Busy, $"PTY {request.Id} is already open.");
            PtySession session;
            try
            {
                session = PtySession.Start(request.Id, launch, shell, request.Cols.Value, request.Rows.Value,
                    request.CreditBytes is > 0 and var credit ? credit : DefaultCreditBytes, channel, logger);
            }
            catch (IOException e)
            {
                return Error(request.Id, AgentErrorCode.Io, $"Cannot start {shell} on a terminal: {e.Message}");
            }
            _sessions.Add(request.Id, session);
            _ = session.Finished.ContinueWith(_ => Forget(session), TaskScheduler.Default);
        }
        return new AgentMessage { Kind = MessageKind.Ok, Id = request.Id };
    }

    public void Input(long id, ReadOnlySpan<byte> bytes)
    {
        if (Find(id) is { } session && !session.Input(bytes))
            logger.PtyInputDropped(id, PtySession.MaxQueuedInputBytes);
    }

    public void Resize(AgentMessage request)
    {
        if (request.Cols is >= 1 and <= MaxDimension && request.Rows is >= 1 and <= MaxDimension)
            Find(request.Id)?.Resize(request.Cols.Value, request.Rows.Value);
    }

    public void Grant(AgentMessage request) => Find(request.Id)?.Grant(request.CreditBytes ?? 0);

    public void Close(long id) => Find(id)?.Close();

    /// <summary>The connection ended: every shell is killed (their exits are dropped with the connection).</summary>
    public void CloseAll()
    {
        List<PtySession> open;
        lock (_gate)
            open = [.. _sessions.Values];
        foreach (var session in open)
            session.Close();
    }

    private PtySession? Find(long id)
    {
        lock (_gate)
            return _sessions.GetValueOrDefault(id);
    }

    private void Forget(PtySession session)
    {
        lock (_gate)
        {
            if (_sessions.TryGetValue(session.Id, out var current) && ReferenceEquals(current, session))
                _sessions.Remove(session.Id);
        }
    }

    private static AgentMessage Error(long id, string code, string message) =>
        new() { Kind = MessageKind.Error, Id = id, ErrorCode = code, Message = message };
}
