using System.Security.Cryptography;
using System.Text;

namespace Capsule.Server.Tests.Tenancy;

/// <summary>
/// Two non-admin tenants A and B plus the admin, on one in-memory server. A owns a session with a running VM, a sync
/// and a completed async execution, an uploaded file and metadata, each carrying a marker that must never reach
/// anyone else. <see cref="SnapshotAsync"/> is everything A (and the host) can observe about A's objects, to show that
/// an intruder's request changed nothing.
/// </summary>
internal sealed class TenantWorld : IAsyncDisposable
{
    public const string CodeMarker = "A-MARKER-code-7f3e";
    public const string FileMarker = "A-MARKER-file-91c2";
    public const string MetadataMarker = "A-MARKER-meta-5d0b";
    public const string FilePath = "/app/a-secret.txt";

    private TenantWorld(CapsuleApp app) => App = app;

    public CapsuleApp App { get; }
    public required (string Id, string Key) A { get; init; }
    public required (string Id, string Key) B { get; init; }
    public required string AdminKey { get; init; }
    public required string AdminKeyId { get; init; }
    public required string SessionId { get; init; }
    public required string TaskId { get; init; }
    public required string ShareId { get; init; }
    public required string PtyId { get; init; }
    public required HttpClient AClient { get; init; }

    /// <summary>The key of an intruder, by role.</summary>
    public string KeyOf(Intruder intruder) => intruder == Intruder.Admin ? AdminKey : B.Key;

    /// <summary>Strings that identify or carry A's data; none may appear in an answer to an intruder.</summary>
    public IEnumerable<string> Secrets => [SessionId, TaskId, ShareId, PtyId, A.Id, A.Key, CodeMarker, FileMarker, MetadataMarker];

    public static async Task<TenantWorld> CreateAsync(CancellationToken cancellationToken)
    {
        var app = new CapsuleApp();
        var adminKey = app.AdminKey;
        var a = await app.CreateKeyAsync(cancellationToken);
        var b = await app.CreateKeyAsync(cancellationToken);
        var aClient = app.Client(a.Key);
        var sessionId = await aClient.CreateSessionAsync(a.Key, cancellationToken,
            new JsonObject { ["metadata"] = new JsonObject { ["tenant"] = "a", ["note"] = MetadataMarker } });
        await aClient.ExecuteOkAsync(sessionId, $"print('{CodeMarker}')", cancellationToken);
        var taskId = await aClient.ExecuteInBackgroundAsync(sessionId, $"print('{CodeMarker} async')", cancellationToken);
        await aClient.WaitForExecutionAsync(taskId, cancellationToken);
        var (uploaded, _) = await aClient.UploadBytesAsync(sessionId, FilePath, Encoding.UTF8.GetBytes(FileMarker), cancellationToken);
        Assert.Equal(HttpStatusCode.OK, uploaded);
        var (shared, share) = await aClient.PostJsonAsync("/v1/shares", new JsonObject { ["session_id"] = sessionId, ["port"] = 8000 }, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, shared);
        var (opened, pty) = await aClient.PostJsonAsync($"/v1/sessions/{sessionId}/pty/sessions", new JsonObject(), cancellationToken);
        Assert.Equal(HttpStatusCode.OK, opened);
        using var adminClient = app.Client(adminKey);
        var (_, keys) = await adminClient.GetJsonAsync("/v1/api-keys/", cancellationToken);
        var adminKeyId = keys!.AsArray().Single(k => (bool)k!["is_admin"]!)!["id"]!.GetValue<string>();
        return new TenantWorld(app)
        {
            A = a,
            B = b,
            AdminKey = adminKey,
            AdminKeyId = adminKeyId,
            SessionId = sessionId,
            TaskId = taskId,
            ShareId = share!["share_id"]!.GetValue<string>(),
            PtyId = pty!["pty_id"]!.GetValue<string>(),
            AClient = aClient,
        };
    }

    /// <summary>
    /// A's view of its objects (through its own key, which must still work), the admin's view of every key, and the
    /// host's view of the VMs and their files.
    /// </summary>
    public async Task<string> SnapshotAsync(CancellationToken cancellationToken)
    {
        var views = new StringBuilder();
        foreach (var path in new[]
        {
            $"/v1/sessions/session/{SessionId}", $"/v1/sessions/status/{SessionId}", $"/v1/sessions/usage/{SessionId}",
            $"/v1/executions/{TaskId}", "/v1/executions/", "/v1/sessions/sandboxes", $"/v1/api-keys/{A.Id}", "/v1/shares", $"/v1/egress/session/{SessionId}",
            $"/v1/sessions/{SessionId}/pty/sessions", $"/v1/sessions/{SessionId}/pty/sessions/{PtyId}",
        })
        {
            var (status, body) = await AClient.GetJsonAsync(path, cancellationToken);
            views.Append(path).Append(" -> ").Append((int)status).Append(' ').AppendLine(body?.ToJsonString());
        }
        using (var admin = App.Client(AdminKey))
        {
            var (status, keys) = await admin.GetJsonAsync("/v1/api-keys/", cancellationToken);
            views.Append("admin: /v1/api-keys/ -> ").Append((int)status).Append(' ').AppendLine(keys?.ToJsonString());
        }
        var (downloaded, file) = await AClient.DownloadJsonAsync(SessionId, FilePath, cancellationToken);
        views.Append("download -> ").Append((int)downloaded).Append(' ').AppendLine(file?.ToJsonString());
        foreach (var machine in App.Machines.Started)
            views.AppendLine($"machine {machine.MachineId} disposed={machine.IsDisposed} execs={machine.Execs.Count} ptys={machine.Ptys.Count} " +
                $"sizes={string.Join(';', machine.Ptys.Select(p => string.Join(',', p.Sizes)))} killed={machine.Ptys.Count(p => p.IsKilled)}");
        foreach (var path in Directory.EnumerateFiles(App.Machines.GuestRoot, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var hash = Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(path, cancellationToken)));
            views.AppendLine($"file {Path.GetRelativePath(App.Machines.GuestRoot, path)} {hash}");
        }
        return views.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        AClient.Dispose();
        await App.DisposeAsync();
    }
}

/// <summary>Who is trying A's ids: another non-admin key, or the admin (a tenant too, except for key management).</summary>
public enum Intruder
{
    OtherKey,
    Admin,
}
