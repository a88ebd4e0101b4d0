using System.Net.Http.Headers;
using Capsule.Server.Store;
using Microsoft.Extensions.DependencyInjection;

namespace Capsule.Server.Tests.Mcp;

/// <summary>/mcp takes the REST API's keys, scopes every tool to the key's own sessions, and cleans up after a connection.</summary>
public sealed class McpSecurityTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("capsule_sk_not-a-real-key")]
    public async Task Initialize_WithoutAValidKey_Is401(string? key)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(key);

        using var response = await client.SendAsync(InitializeRequest(), ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Invalid API key or session expired", JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Initialize_BearerKey_IsAccepted()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(apiKey: null);
        using var request = InitializeRequest();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", app.AdminKey);

        using var response = await client.SendAsync(request, ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.Contains("Mcp-Session-Id"));
    }

    [Fact]
    public async Task SdkClient_WithoutKey_CannotConnect()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => McpTestClient.ConnectAsync(app, apiKey: null, ct));

        Assert.Contains("401", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyB_CannotUseKeyAsSession()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        var (_, keyA) = await app.CreateKeyAsync(ct);
        var (_, keyB) = await app.CreateKeyAsync(ct);
        await using var a = await McpTestClient.ConnectAsync(app, keyA, ct);
        await using var b = await McpTestClient.ConnectAsync(app, keyB, ct);
        var sessionOfA = McpTestClient.SessionIdOf(await a.CallAsync("run_code", new() { ["code"] = "secret = 1" }, ct));
        await a.CallAsync("upload_file", new() { ["path"] = "a.txt", ["content"] = "A's file" }, ct);

        var run = await b.CallAsync("run_code", new() { ["code"] = "print(secret)", ["session_id"] = sessionOfA }, ct);
        var download = await b.CallAsync("download_file", new() { ["path"] = "a.txt", ["session_id"] = sessionOfA }, ct);
        var kill = await b.CallAsync("kill_sandbox", new() { ["session_id"] = sessionOfA }, ct);
        var extend = await b.CallAsync("extend_sandbox", new() { ["seconds"] = 60, ["session_id"] = sessionOfA }, ct);
        var list = await b.CallAsync("list_sandboxes", [], ct);

        foreach (var refused in new[] { run, download, kill, extend })
        {
            Assert.True(refused.IsError);
            Assert.StartsWith($"Sandbox {sessionOfA} does not exist for this API key", refused.Text(), StringComparison.Ordinal);
        }
        Assert.DoesNotContain(sessionOfA, list.Text(), StringComparison.Ordinal);
        var machineOfA = Assert.Single(app.Machines.Started);
        Assert.Equal(["secret = 1"], machineOfA.Execs.Select(e => e.Code));
        Assert.False(machineOfA.IsDisposed);
    }

    [Fact]
    public async Task KeyB_PresentingKeyAsMcpSessionId_IsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        var (_, keyA) = await app.CreateKeyAsync(ct);
        var (_, keyB) = await app.CreateKeyAsync(ct);
        using var clientA = app.Client(keyA);
        using var opened = await clientA.SendAsync(InitializeRequest(), ct);
        var mcpSessionId = opened.Headers.GetValues("Mcp-Session-Id").Single();
        using var clientB = app.Client(keyB);
        using var request = Post("""{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{}}""", mcpSessionId);

        using var response = await clientB.SendAsync(request, ct);

        Assert.False(response.IsSuccessStatusCode, $"key B used key A's MCP session: {(int)response.StatusCode}");
    }

    [Fact]
    public async Task RevokedKey_IsRefusedMidSession()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        var (keyId, key) = await app.CreateKeyAsync(ct);
        using var client = app.Client(key);
        var session = await McpTestClient.InitializeRawAsync(client, ct);
        await app.Services.GetRequiredService<Capsule.Server.Auth.ApiKeyService>().RevokeAsync(keyId, ct);

        using var response = await client.SendAsync(Post("""{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{}}""", session), ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ClosingTheConnection_KillsTheSessionItCreated()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var rest = app.Client(app.AdminKey);
        var created = await rest.CreateSessionAsync(app.AdminKey, ct);
        string own;
        await using (var mcp = await McpTestClient.ConnectAsync(app, app.AdminKey, ct))
        {
            own = McpTestClient.SessionIdOf(await mcp.CallAsync("run_code", new() { ["code"] = "1" }, ct));
            await mcp.CallAsync("run_code", new() { ["code"] = "2", ["session_id"] = created }, ct);
        }

        var store = app.Services.GetRequiredService<ISessionStore>();
        await Eventually.HoldsAsync(async () => (await store.GetAsync(Guid.Parse(own), ct))?.VmState == VmState.Killed,
            "the connection's session was killed", ct);
        var machines = app.Machines.Started;
        Assert.True(machines.Single(m => m.Execs.Any(e => e.Code == "1")).IsDisposed);
        // A session the connection did not create (named by session_id) is left running.
        Assert.False(machines.Single(m => m.Execs.Any(e => e.Code == "2")).IsDisposed);
        Assert.Equal(VmState.Active, (await store.GetAsync(Guid.Parse(created), ct))!.VmState);
    }

    private static HttpRequestMessage InitializeRequest() => McpTestClient.RawPost(McpTestClient.Initialize);

    private static HttpRequestMessage Post(string json, string? mcpSessionId = null) => McpTestClient.RawPost(json, mcpSessionId);
}
