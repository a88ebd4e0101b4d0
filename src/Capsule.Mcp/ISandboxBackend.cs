namespace Capsule.Mcp;

/// <summary>
/// What the MCP tools do to sandboxes (Capsule sessions), on behalf of one API key: the server implements it over its
/// Sessions layer, the CLI over the HTTP API. Every refusal is a <see cref="SandboxToolException"/> whose message is
/// one sentence a model can act on; nothing else is expected to escape.
/// </summary>
internal interface ISandboxBackend
{
    /// <summary>Creates a sandbox (its VM starts at the first run, or at once when env vars are given).</summary>
    Task<SandboxView> CreateAsync(SandboxShape shape, CancellationToken cancellationToken);

    /// <summary>The caller's sandbox as it is now; null when there is none with that id for this key.</summary>
    Task<SandboxView?> FindAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>The caller's sandboxes, newest first.</summary>
    Task<IReadOnlyList<SandboxView>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs code (starting the VM if it has none). Output goes to <paramref name="onOutput"/> as it is produced, when
    /// given. Cancelling <paramref name="cancellationToken"/> stops the guest process tree.
    /// </summary>
    Task<CodeOutcome> RunAsync(
        string sandboxId, CodeRequest request, Func<CodeOutput, ValueTask>? onOutput, CancellationToken cancellationToken);

    /// <summary>Writes a file in the sandbox (parent folders created); returns its size in bytes.</summary>
    Task<long> UploadAsync(string sandboxId, string path, Stream content, CancellationToken cancellationToken);

    /// <summary>Copies a file of the sandbox into <paramref name="destination"/>; returns its size in bytes.</summary>
    Task<long> DownloadAsync(string sandboxId, string path, Stream destination, CancellationToken cancellationToken);

    /// <summary>Destroys the sandbox's VM; false when it had none running.</summary>
    Task<bool> KillAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Makes the sandbox's VM expire <paramref name="seconds"/> from now.</summary>
    Task<SandboxView> ExtendAsync(string sandboxId, int seconds, CancellationToken cancellationToken);
}
