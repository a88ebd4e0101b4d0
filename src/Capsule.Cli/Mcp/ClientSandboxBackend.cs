using System.Globalization;
using System.Text;
using Capsule.Client;
using Capsule.Mcp;

namespace Capsule.Cli.Mcp;

/// <summary>
/// The MCP tools' sandboxes over a Capsule server's HTTP API (the SDK), for <c>capsule mcp</c>. The server scopes every
/// call to the key in CAPSULE_API_KEY; its refusals become <see cref="SandboxToolException"/>s.
/// </summary>
internal sealed class ClientSandboxBackend(CapsuleClient client) : ISandboxBackend
{
    public Task<SandboxView> CreateAsync(SandboxShape shape, CancellationToken cancellationToken) => RefusalsAsSentencesAsync(async () =>
    {
        var session = await client.CreateSessionAsync(new SessionOptions
        {
            Lifetime = shape.LifetimeSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            VcpuCount = shape.VcpuCount,
            MemoryMb = shape.MemoryMb,
            Metadata = shape.Metadata,
            Env = shape.Env,
        }, cancellationToken);
        return View(await session.GetInfoAsync(cancellationToken));
    });

    public Task<SandboxView?> FindAsync(string sandboxId, CancellationToken cancellationToken) => RefusalsAsSentencesAsync(async () =>
    {
        if (!Guid.TryParse(sandboxId, out _))
            return null;
        try
        {
            return View(await client.GetSession(sandboxId).GetInfoAsync(cancellationToken));
        }
        catch (NotFoundException)
        {
            return (SandboxView?)null;
        }
    });

    public Task<IReadOnlyList<SandboxView>> ListAsync(CancellationToken cancellationToken) => RefusalsAsSentencesAsync(async () =>
    {
        var sandboxes = await client.ListAsync(limit: 100, cancellationToken: cancellationToken);
        IReadOnlyList<SandboxView> views = [.. sandboxes.Select(s => new SandboxView
        {
            Id = s.SandboxId,
            Status = s.Status,
            VcpuCount = s.TemplateId is ['s', 'n', 'a', 'p', .. var count] && int.TryParse(count, CultureInfo.InvariantCulture, out var vcpu) ? vcpu : null,
            ExpiresAt = s.Status == "active" ? s.EndAt : null,
            Metadata = s.Metadata,
        })];
        return views;
    });

    public Task<CodeOutcome> RunAsync(
        string sandboxId, CodeRequest request, Func<CodeOutput, ValueTask>? onOutput, CancellationToken cancellationToken) =>
        RefusalsAsSentencesAsync(async () =>
        {
            var session = client.GetSession(sandboxId);
            var language = request.Language == "bash" ? CodeLanguage.Bash : CodeLanguage.Python;
            var timeout = TimeSpan.FromSeconds(request.TimeoutSeconds);
            if (onOutput is null)
            {
                var result = await session.ExecuteAsync(request.Code, language, timeout, cancellationToken);
                return new CodeOutcome
                {
                    Stdout = result.Stdout,
                    Stderr = result.Stderr,
                    ExitCode = result.ExitCode,
                    TimedOut = result.TimedOut,
                    Truncated = result.Truncated,
                    OomKilled = result.OomKilled,
                    WallTime = result.ExecutionTime,
                };
            }
            // With a progress token, the streaming endpoint gives the output as it comes (and a cancel disconnects,
            // which stops the guest process).
            var stdout = new StringBuilder();
            var stderr = new StringBuilder();
            await foreach (var item in session.StreamAsync(request.Code, language, timeout, cancellationToken))
            {
                switch (item)
                {
                    case OutputChunk chunk:
                        (chunk.Stream == OutputStream.Stderr ? stderr : stdout).Append(chunk.Text);
                        await onOutput(new CodeOutput(chunk.Stream == OutputStream.Stderr, chunk.Text));
                        break;
                    case ExecutionExit exit:
                        return new CodeOutcome
                        {
                            Stdout = stdout.ToString(),
                            Stderr = stderr.ToString(),
                            ExitCode = exit.ExitCode,
                            TimedOut = exit.TimedOut,
                            Truncated = exit.Truncated,
                            OomKilled = exit.OomKilled,
                            WallTime = exit.ExecutionTime,
                        };
                }
            }
            throw new SandboxToolException("The output stream ended before the run's result; try again.");
        });

    public Task<long> UploadAsync(string sandboxId, string path, Stream content, CancellationToken cancellationToken) =>
        RefusalsAsSentencesAsync(async () =>
            (await client.GetSession(sandboxId).UploadAsync(content, Absolute(path), cancellationToken)).Size);

    public Task<long> DownloadAsync(string sandboxId, string path, Stream destination, CancellationToken cancellationToken) =>
        RefusalsAsSentencesAsync(() => client.GetSession(sandboxId).DownloadAsync(Absolute(path), destination, cancellationToken));

    public Task<bool> KillAsync(string sandboxId, CancellationToken cancellationToken) => RefusalsAsSentencesAsync(async () =>
    {
        try
        {
            await client.GetSession(sandboxId).KillAsync(cancellationToken);
            return true;
        }
        catch (NotFoundException refused) when (refused is not SessionNotFoundException)
        {
            // 404 for a session without a running VM.
            return false;
        }
    });

    public Task<SandboxView> ExtendAsync(string sandboxId, int seconds, CancellationToken cancellationToken) => RefusalsAsSentencesAsync(async () =>
    {
        var session = client.GetSession(sandboxId);
        await session.ExtendAsync(TimeSpan.FromSeconds(seconds), cancellationToken);
        return View(await session.GetInfoAsync(cancellationToken));
    });

    /// <summary>The SDK's upload wants an absolute path; relative ones start in the guest's /app, as on the server.</summary>
    private static string Absolute(string path) => path.StartsWith('/') ? path : "/app/" + path;

    /// <summary>The one place an HTTP refusal becomes a sentence for a model.</summary>
    private async Task<T> RefusalsAsSentencesAsync<T>(Func<Task<T>> work)
    {
        try
        {
            return await work();
        }
        catch (SessionNotFoundException missing)
        {
            throw new SandboxToolException($"Sandbox {missing.SessionId} does not exist for this API key; call list_sandboxes to see yours.");
        }
        catch (ValidationException invalid)
        {
            var problems = invalid.Errors.Select(e => (e.Location.Count > 0 ? e.Location[^1] : "request") + ": " + e.Message);
            throw new SandboxToolException($"Invalid arguments: {string.Join("; ", problems)}.");
        }
        catch (AuthenticationException)
        {
            throw new SandboxToolException($"The Capsule server at {client.BaseUrl} refused the API key; set CAPSULE_API_KEY to a valid key.");
        }
        catch (CapsuleConnectionException unreachable)
        {
            throw new SandboxToolException($"The Capsule server at {client.BaseUrl} could not be reached ({unreachable.Detail.TrimEnd('.')}).");
        }
        catch (CapsuleApiException refused)
        {
            throw new SandboxToolException(refused.Detail.TrimEnd('.') + ".");
        }
    }

    private static SandboxView View(SessionInfo info) => new()
    {
        Id = info.SessionId,
        Status = info.Status,
        VcpuCount = info.VcpuCount,
        MemoryMb = info.MemoryMb,
        LifetimeSeconds = (int)info.Lifetime.TotalSeconds,
        ExpiresAt = info.ExpiresAt,
        Metadata = info.Metadata,
    };
}
