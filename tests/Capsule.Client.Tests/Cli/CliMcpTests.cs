using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Capsule.Client.Tests.Cli;

/// <summary>
/// <c>capsule mcp</c> as a real child process, started by the C# SDK's stdio client transport, against the real
/// server. The tests that run code need VMs and are skipped, with the reason, without QEMU or the guest image.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class CliMcpTests(CliFixture fixture)
{
    private static readonly TimeSpan VmBound = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Mcp_Stdio_ListsToolsAndCreatesSandboxes()
    {
        await using var mcp = await ConnectAsync();

        var tools = await mcp.ListToolsAsync(cancellationToken: Bounded.Token).AsTask().Bound();
        var created = await CallAsync(mcp, "create_sandbox", new() { ["metadata"] = new Dictionary<string, string> { ["suite"] = "cli-mcp" } }, Bounded.Call);
        var id = Text(created).Split(' ')[2];
        var listed = await CallAsync(mcp, "list_sandboxes", [], Bounded.Call);

        Assert.Contains("run_code", tools.Select(t => t.Name));
        Assert.Equal(7, tools.Count);
        Assert.NotEqual(true, created.IsError);
        Assert.True(Guid.TryParse(id, out _), Text(created));
        Assert.Contains($"{id}  status=created", Text(listed), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mcp_Stdio_BadKey_ToolResultSaysSo()
    {
        await using var mcp = await ConnectAsync(apiKey: "capsule_sk_wrong");

        var listed = await CallAsync(mcp, "list_sandboxes", [], Bounded.Call);

        Assert.True(listed.IsError);
        Assert.EndsWith("refused the API key; set CAPSULE_API_KEY to a valid key.", Text(listed), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mcp_Stdio_RunCode_KeepsPythonStateAndStdinClosingKillsTheSession()
    {
        fixture.RequireVm();
        string session;
        await using (var mcp = await ConnectAsync())
        {
            var first = await CallAsync(mcp, "run_code", new() { ["code"] = "x = 6 * 7" }, VmBound);
            var second = await CallAsync(mcp, "run_code", new() { ["code"] = "print(x)" }, VmBound);

            Assert.NotEqual(true, second.IsError);
            Assert.Contains("--- stdout ---\n42\n", Text(second), StringComparison.Ordinal);
            session = SessionIdOf(first);
            Assert.Equal(session, SessionIdOf(second));
        }

        using var sdk = new CapsuleClient(fixture.Server.Url, fixture.Server.AdminKey);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        SessionInfo info;
        do
        {
            info = await sdk.GetSession(session).GetInfoAsync(Bounded.Token).Bound();
            if (info.Status != "active")
                break;
            await Task.Delay(100, Bounded.Token);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Equal("killed", info.Status);
    }

    [Fact]
    public async Task Mcp_Stdio_Timeout_IsErrorWithPartialOutput()
    {
        fixture.RequireVm();
        await using var mcp = await ConnectAsync();

        var result = await CallAsync(mcp, "run_code", new()
        {
            ["code"] = "import time\nprint('partial', flush=True)\ntime.sleep(60)",
            ["timeout"] = 3,
        }, VmBound);

        Assert.True(result.IsError);
        Assert.StartsWith("The code timed out after 3 s", Text(result), StringComparison.Ordinal);
        Assert.Contains("partial", Text(result), StringComparison.Ordinal);
    }

    private async Task<McpClient> ConnectAsync(string? apiKey = null)
    {
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "capsule",
            Command = "dotnet",
            Arguments = [RepoPaths.CliDll, "mcp"],
            WorkingDirectory = fixture.Home,
            EnvironmentVariables = new Dictionary<string, string?>
            {
                ["CAPSULE_URL"] = fixture.Server.Url.ToString(),
                ["CAPSULE_API_KEY"] = apiKey ?? fixture.Server.AdminKey,
                ["HOME"] = fixture.Home,
                ["XDG_CONFIG_HOME"] = null,
            },
        });
        return await McpClient.CreateAsync(transport, cancellationToken: Bounded.Token).WaitAsync(TimeSpan.FromMinutes(1), Bounded.Token);
    }

    private static async Task<CallToolResult> CallAsync(McpClient mcp, string tool, Dictionary<string, object?> arguments, TimeSpan within) =>
        await mcp.CallToolAsync(tool, arguments, cancellationToken: Bounded.Token).AsTask().WaitAsync(within, Bounded.Token);

    private static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));

    private static string SessionIdOf(CallToolResult result) =>
        Text(result).Split('\n').Single(line => line.StartsWith("session_id: ", StringComparison.Ordinal))["session_id: ".Length..];
}
