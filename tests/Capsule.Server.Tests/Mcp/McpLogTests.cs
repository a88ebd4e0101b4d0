using Capsule.Testing.Logging;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Capsule.Server.Tests.Mcp;

/// <summary>A server logging at Trace logs MCP connections, but no code, output or file content from MCP messages.</summary>
public sealed class McpLogTests
{
    private const string CodeMarker = "MCPLOGMARK-code-91c2";
    private const string OutputMarker = "MCPLOGMARK-output-5d0e";
    private const string FileMarker = "MCPLOGMARK-file-a7b3";

    [Fact]
    public async Task ToolCalls_AtTraceLevel_LogNoContent()
    {
        var ct = TestContext.Current.CancellationToken;
        var capture = new CapturingLoggerProvider();
        await using var app = new CapsuleApp();
        var logged = app.WithWebHostBuilder(builder => builder.ConfigureLogging(logging =>
        {
            logging.AddProvider(capture);
            logging.SetMinimumLevel(LogLevel.Trace);
        }));
        app.Machines.Script(CodeMarker, FakeMachineHost.Result(stdout: OutputMarker + "\n"));
        using var client = logged.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        (await client.GetAsync("/health", ct)).Dispose();
        var adminKey = (await File.ReadAllTextAsync(app.AdminKeyFile, ct)).Trim();
        client.DefaultRequestHeaders.Add("X-API-Key", adminKey);
        var session = await McpTestClient.InitializeRawAsync(client, ct);

        using var run = await client.SendAsync(McpTestClient.RawPost(
            """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"run_code","arguments":{"code":"CODE"}}}""".Replace("CODE", CodeMarker, StringComparison.Ordinal), session), ct);
        using var upload = await client.SendAsync(McpTestClient.RawPost(
            """{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"upload_file","arguments":{"path":"f.txt","content":"FILE"}}}""".Replace("FILE", FileMarker, StringComparison.Ordinal), session), ct);
        using var download = await client.SendAsync(McpTestClient.RawPost(
            """{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"download_file","arguments":{"path":"f.txt"}}}""", session), ct);
        var answers = await run.Content.ReadAsStringAsync(ct) + await download.Content.ReadAsStringAsync(ct);

        Assert.Contains(OutputMarker, answers, StringComparison.Ordinal);
        Assert.Contains(FileMarker, answers, StringComparison.Ordinal);
        var entries = capture.Entries;
        Assert.Contains(entries, e => e.Category.StartsWith("ModelContextProtocol", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Text.Contains($"MCP session {session} opened by key", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.Text.Contains(CodeMarker, StringComparison.Ordinal)
            || e.Text.Contains(OutputMarker, StringComparison.Ordinal) || e.Text.Contains(FileMarker, StringComparison.Ordinal)
            || e.Text.Contains(adminKey, StringComparison.Ordinal));
    }
}
