using System.Collections.Concurrent;
using System.Security.Cryptography;
using Capsule.Vm;
using Microsoft.Extensions.Options;

namespace Capsule.Server.Sessions.Terminals;

/// <summary>
/// Every PTY this server holds, by id. Callers find a session first (tenancy: another key's session is 404), then its
/// PTY here by the pair (session id, PTY id). PTYs live in memory only: a restarted server has no VMs either.
/// </summary>
internal sealed class TerminalRegistry(TimeProvider time, IOptions<TerminalOptions> options, ILogger<Terminal> logger)
{
    private readonly ConcurrentDictionary<string, (Terminal Terminal, long Order)> _terminals = new(StringComparer.Ordinal);
    private long _created;

    public TerminalOptions Options => options.Value;

    /// <summary>Wraps a freshly opened machine PTY; the caller's lease entry passes to it.</summary>
    public Terminal Add(Guid sessionId, TerminalSpec spec, IMachinePty pty, MachineLease lease)
    {
        var ptyId = "pty-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var terminal = Terminal.Start(ptyId, sessionId, spec, pty, lease, time, options.Value.ReattachGrace, logger, Forget);
        _terminals[ptyId] = (terminal, Interlocked.Increment(ref _created));
        return terminal;
    }

    public Terminal? Find(Guid sessionId, string ptyId) =>
        _terminals.TryGetValue(ptyId, out var entry) && entry.Terminal.SessionId == sessionId ? entry.Terminal : null;

    /// <summary>The session's PTYs in the order they were created (running ones and those that ended within the grace).</summary>
    public IReadOnlyList<Terminal> List(Guid sessionId) =>
        [.. _terminals.Values.Where(e => e.Terminal.SessionId == sessionId).OrderBy(e => e.Order).Select(e => e.Terminal)];

    public int RunningCount(Guid sessionId) => _terminals.Values.Count(e => e.Terminal.SessionId == sessionId && e.Terminal.IsRunning);

    /// <summary>Ends the PTY (if it runs) and forgets it.</summary>
    public async Task DeleteAsync(Terminal terminal)
    {
        await terminal.CloseAsync();
        Forget(terminal);
    }

    private void Forget(Terminal terminal)
    {
        if (_terminals.TryGetValue(terminal.PtyId, out var entry) && ReferenceEquals(entry.Terminal, terminal))
            _terminals.TryRemove(KeyValuePair.Create(terminal.PtyId, entry));
    }
}
