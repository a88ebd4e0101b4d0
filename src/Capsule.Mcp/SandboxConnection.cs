namespace Capsule.Mcp;

/// <summary>
/// One MCP connection (an HTTP MCP session, or the stdio process): its caller's backend and the sandbox it made for
/// calls that name none. That sandbox is created on first use, replaced by a fresh one once its VM has ended (its
/// lifetime ran out, or it was killed), and killed when the connection ends (<see cref="DisposeAsync"/>).
/// </summary>
internal sealed class SandboxConnection(ISandboxBackend backend) : IAsyncDisposable
{
    /// <summary>Lifetime of the connection's own sandbox (30 min; extend_sandbox gives more).</summary>
    public const int OwnSandboxLifetimeSeconds = 1800;

    /// <summary>How long the kill at the end of a connection may take before it is given up.</summary>
    private static readonly TimeSpan KillPatience = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _ownSandboxId;
    private bool _closed;

    public ISandboxBackend Backend => backend;

    /// <summary>The id of the sandbox this connection made, if it made one.</summary>
    public string? OwnSandboxId => _ownSandboxId;

    /// <summary>
    /// The connection's own sandbox, created now if there is none or its VM has ended. <c>Note</c> tells the model
    /// when a previous one ended, since its variables and files are then gone.
    /// </summary>
    public async Task<(string Id, string? Note)> GetOwnSandboxAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_closed)
                throw new SandboxToolException("This MCP connection is closing; open a new one.");
            string? note = null;
            if (_ownSandboxId is { } id)
            {
                var view = await backend.FindAsync(id, cancellationToken);
                if (view is { Ended: false })
                    return (id, null);
                note = $"This connection's previous sandbox {id} ended ({ToolText.DescribeEnd(view?.Status ?? "gone")}), " +
                    "so its variables and files are gone; this ran in a fresh sandbox.";
            }
            var created = await backend.CreateAsync(new SandboxShape { LifetimeSeconds = OwnSandboxLifetimeSeconds }, cancellationToken);
            _ownSandboxId = created.Id;
            return (created.Id, note);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Kills the sandbox this connection made (best effort: a failure leaves it to its lifetime).</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            if (_closed)
                return;
            _closed = true;
            if (_ownSandboxId is not { } id)
                return;
            using var patience = new CancellationTokenSource(KillPatience);
            try
            {
                await backend.KillAsync(id, patience.Token);
            }
            catch (Exception ex) when (ex is SandboxToolException or OperationCanceledException)
            {
                // Its lifetime still ends it.
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
