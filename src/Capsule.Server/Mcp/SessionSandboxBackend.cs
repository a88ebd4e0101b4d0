using System.Text.Json;
using System.Text.Json.Nodes;
using Capsule.Mcp;
using Capsule.Server.Api;
using Capsule.Server.Api.Errors;
using Capsule.Server.Api.Requests;
using Capsule.Server.Auth;
using Capsule.Server.Files;
using Capsule.Server.Sessions;
using Capsule.Server.Sessions.Runs;
using Capsule.Server.Store;

namespace Capsule.Server.Mcp;

/// <summary>
/// The MCP tools' sandboxes for one API key, over the Sessions layer exactly as the REST endpoints use it: lookups
/// through <see cref="SessionRegistry.FindAsync"/> (another key's session is "not found"), the same validation, quotas
/// and capacity checks. Refusals (<see cref="CapsuleException"/>) become <see cref="SandboxToolException"/>s.
/// </summary>
internal sealed class SessionSandboxBackend(Caller caller, McpServices services) : ISandboxBackend
{
    public async Task<SandboxView> CreateAsync(SandboxShape shape, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["api_key"] = "(authenticated by header)" };
        if (shape.LifetimeSeconds is { } lifetime)
            body["vm_lifetime_seconds"] = lifetime;
        if (shape.VcpuCount is { } vcpu)
            body["vcpu_count"] = vcpu;
        if (shape.MemoryMb is { } memory)
            body["memory_mb"] = memory;
        if (shape.Metadata is { Count: > 0 } metadata)
            body["metadata"] = ToJson(metadata);
        if (shape.Env is { Count: > 0 } env)
            body["env"] = ToJson(env);

        var startedAt = services.Time.GetTimestamp();
        return await RefusalsAsSentencesAsync(async () =>
        {
            using var document = JsonDocument.Parse(body.ToJsonString());
            var request = CreateSessionRequest.Parse(document.RootElement, services.Limits);
            services.Quotas.EnsureMachineRoom(caller.KeyId);
            services.Admission.EnsureRoom(request.VcpuCount, request.MemoryMb);
            var record = new SessionRecord
            {
                SessionId = Guid.NewGuid(),
                ApiKeyId = caller.KeyId,
                CreatedAt = services.Time.GetUtcNow(),
                VmLifetimeSeconds = request.VmLifetimeSeconds,
                MemoryMb = request.MemoryMb,
                VcpuCount = request.VcpuCount,
                MetadataJson = request.Metadata?.GetRawText(),
                Env = request.Env,
            };
            var actor = await services.Registry.CreateAsync(record, cancellationToken);
            if (request.Env.Count > 0)
                await actor.EnsureMachineAsync(cancellationToken);
            services.Metrics.SessionCreated(services.Time.GetElapsedTime(startedAt));
            return View(actor.CurrentRecord);
        });
    }

    public async Task<SandboxView?> FindAsync(string sandboxId, CancellationToken cancellationToken) =>
        Guid.TryParse(sandboxId, out var id) && await services.Registry.FindAsync(id, caller, cancellationToken) is { } actor
            ? View(actor.CurrentRecord)
            : null;

    public async Task<IReadOnlyList<SandboxView>> ListAsync(CancellationToken cancellationToken)
    {
        var sessions = await services.Registry.ListOwnedAsync(caller, cancellationToken);
        return [.. sessions.Take(100).Select(View)];
    }

    public Task<CodeOutcome> RunAsync(
        string sandboxId, CodeRequest request, Func<CodeOutput, ValueTask>? onOutput, CancellationToken cancellationToken) =>
        RefusalsAsSentencesAsync(async () =>
        {
            var actor = await OwnedAsync(sandboxId, cancellationToken);
            var run = new CodeRun
            {
                Language = request.Language == "bash" ? CodeLanguage.Bash : CodeLanguage.Python,
                Code = request.Code,
                Timeout = TimeSpan.FromSeconds(request.TimeoutSeconds),
            };
            Func<RunOutput, ValueTask>? forward = onOutput is null ? null : chunk => onOutput(new CodeOutput(chunk.Stream == RunStream.Stderr, chunk.Text));
            var result = await actor.ExecuteAsync(run, forward, cancellationToken);
            return new CodeOutcome
            {
                Stdout = result.Stdout,
                Stderr = result.Stderr,
                ExitCode = result.ExitCode,
                TimedOut = result.TimedOut,
                Truncated = result.OutputTruncated,
                OomKilled = result.OomKilled,
                WallTime = result.WallTime,
            };
        });

    public Task<long> UploadAsync(string sandboxId, string path, Stream content, CancellationToken cancellationToken) =>
        RefusalsAsSentencesAsync(async () =>
        {
            var actor = await OwnedAsync(sandboxId, cancellationToken);
            return await actor.WriteFileAsync(GuestPath.ForUpload(path, fileName: null), content, createParents: true, cancellationToken);
        });

    public Task<long> DownloadAsync(string sandboxId, string path, Stream destination, CancellationToken cancellationToken) =>
        RefusalsAsSentencesAsync(async () =>
        {
            var actor = await OwnedAsync(sandboxId, cancellationToken);
            return await actor.ReadFileAsync(GuestPath.ForDownload(path), destination, cancellationToken);
        });

    public Task<bool> KillAsync(string sandboxId, CancellationToken cancellationToken) =>
        RefusalsAsSentencesAsync(async () =>
        {
            var actor = await OwnedAsync(sandboxId, cancellationToken);
            return await actor.KillAsync(cancellationToken) is not null;
        });

    public Task<SandboxView> ExtendAsync(string sandboxId, int seconds, CancellationToken cancellationToken) =>
        RefusalsAsSentencesAsync(async () =>
        {
            if (seconds > SessionLimits.MaxLifetimeSeconds)
                throw new SandboxToolException($"seconds must be at most {SessionLimits.MaxLifetimeSeconds} (24 h), not {seconds}.");
            var actor = await OwnedAsync(sandboxId, cancellationToken);
            var result = await actor.ExtendAsync(seconds, cancellationToken);
            if (!result.Extended)
            {
                throw new SandboxToolException($"A VM lives at most 24 h from its start; sandbox {sandboxId} can be given at " +
                    $"most {result.MaxSeconds} more seconds.");
            }
            return View(actor.CurrentRecord);
        });

    private async Task<SessionActor> OwnedAsync(string sandboxId, CancellationToken cancellationToken) =>
        Guid.TryParse(sandboxId, out var id) && await services.Registry.FindAsync(id, caller, cancellationToken) is { } actor
            ? actor
            : throw new SandboxToolException($"Sandbox {sandboxId} does not exist for this API key; call list_sandboxes to see yours.");

    /// <summary>The one place a REST-style refusal becomes a sentence for a model.</summary>
    private static async Task<T> RefusalsAsSentencesAsync<T>(Func<Task<T>> work)
    {
        try
        {
            return await work();
        }
        catch (CapsuleException invalid) when (invalid.Code == ErrorCode.Validation)
        {
            var problems = invalid.ValidationErrors.Select(e => e.Loc[e.Loc.Count - 1] + ": " + e.Msg);
            throw new SandboxToolException($"Invalid arguments: {string.Join("; ", problems)}.");
        }
        catch (CapsuleException refused)
        {
            var reason = refused.Message.TrimEnd('.');
            if (refused.RetryAfter is { } retryAfter)
                reason += $"; try again in {Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))} s";
            throw new SandboxToolException(reason + ".");
        }
    }

    private static SandboxView View(SessionRecord session) => new()
    {
        Id = session.SessionId.ToString("D"),
        Status = SessionViews.StatusOf(session),
        VcpuCount = session.VcpuCount,
        MemoryMb = session.MemoryMb,
        LifetimeSeconds = session.VmLifetimeSeconds,
        ExpiresAt = SessionViews.ExpiresAt(session),
        Metadata = MetadataOf(session),
    };

    private static Dictionary<string, string> MetadataOf(SessionRecord session)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in SessionViews.MetadataOf(session).EnumerateObject())
            metadata[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
        return metadata;
    }

    private static JsonObject ToJson(IReadOnlyDictionary<string, string> pairs)
    {
        var json = new JsonObject();
        foreach (var (key, value) in pairs)
            json[key] = value;
        return json;
    }
}
