namespace Capsule.Server.Tests.Auth;

/// <summary>A key sees only its own sessions and executions, on every endpoint that takes an id; to it, others' do not exist.</summary>
public sealed class IsolationTests
{
    [Fact]
    public async Task AnotherKeysIds_AreNotFoundEverywhere()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var owner = app.Client(app.AdminKey);
        var sessionId = await owner.CreateSessionAsync(app.AdminKey, ct);
        var taskId = await owner.ExecuteInBackgroundAsync(sessionId, "1", ct);
        await owner.WaitForExecutionAsync(taskId, ct);
        await owner.UploadBytesAsync(sessionId, "/app/secret", [42], ct);
        var (_, otherKey) = await app.CreateKeyAsync(ct);
        using var other = app.Client(otherKey);

        var gets = new[]
        {
            $"/v1/sessions/session/{sessionId}", $"/v1/sessions/status/{sessionId}", $"/v1/sessions/usage/{sessionId}",
            $"/v1/executions/{taskId}",
        };
        foreach (var path in gets)
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetJsonAsync(path, ct)).Status);
        var posts = new (string Path, JsonObject Body)[]
        {
            ("/execute", new JsonObject { ["command"] = "1", ["session_id"] = sessionId }),
            ("/execute_async", new JsonObject { ["command"] = "1", ["session_id"] = sessionId }),
            ("/v1/execute/stream", new JsonObject { ["command"] = "1", ["session_id"] = sessionId }),
            ("/kill", new JsonObject { ["session_id"] = sessionId }),
            ($"/v1/sessions/{sessionId}/extend", new JsonObject { ["vm_lifetime_seconds"] = 60 }),
        };
        foreach (var (path, body) in posts)
            Assert.Equal(HttpStatusCode.NotFound, (await other.PostJsonAsync(path, body, ct)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DownloadJsonAsync(sessionId, "/app/secret", ct)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await other.UploadBytesAsync(sessionId, "/app/x", [1], ct)).Status);

        var (_, executions) = await other.GetJsonAsync("/v1/executions/", ct);
        var (_, sandboxes) = await other.GetJsonAsync("/v1/sessions/sandboxes", ct);
        Assert.Equal(0, (int)executions!["total"]!);
        Assert.Empty(sandboxes!.AsArray());
        Assert.Single(app.Machines.Started);
        Assert.Single(app.Machines.Last.Execs);
    }
}
