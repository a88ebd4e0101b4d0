namespace Capsule.EndToEnd.Tests;

/// <summary>
/// PTYs in real guests, through the API (docs/api.md, "PTY"). They share the fixture's VM (several PTYs per VM is part
/// of what is tested); only the kill test has a VM of its own. Waits are bounded in minutes (TCG), never asserted.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class PtyTests(ServerFixture fixture)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Tty_NamesAPseudoTerminal_AndTermIsXterm()
    {
        var server = fixture.RequireServer();
        await using var terminal = await PtyTerminal.OpenAsync(server, fixture.SharedSessionId, Token);
        await terminal.WaitReadyAsync(Token);

        await terminal.TypeAsync("tty; echo \"term-is-$TERM\"\r", Token);

        await terminal.WaitForAsync(@"/dev/pts/\d+", Token);
        await terminal.WaitForAsync("term-is-xterm-256color", Token);
    }

    [Fact]
    public async Task SttySize_FollowsAResize()
    {
        var server = fixture.RequireServer();
        await using var terminal = await PtyTerminal.OpenAsync(server, fixture.SharedSessionId, Token, cols: 91, rows: 33);
        await terminal.WaitReadyAsync(Token);
        await terminal.TypeAsync("stty size\r", Token);
        await terminal.WaitForAsync("33 91", Token);

        using var client = server.CreateClient(server.AdminKey);
        var (status, body) = await Api.PostAsync(client, terminal.Path + "/resize", new { cols = 120, rows = 40 }, Token);
        Assert.True(status == HttpStatusCode.OK, $"resize: {status} {body}");
        var from = terminal.Screen.Length;
        await terminal.TypeAsync("stty size\r", Token);

        await terminal.WaitForAsync("40 120", Token, from);
    }

    [Fact]
    public async Task CtrlC_InterruptsSleep_TheShellStays()
    {
        var server = fixture.RequireServer();
        await using var terminal = await PtyTerminal.OpenAsync(server, fixture.SharedSessionId, Token);
        await terminal.WaitReadyAsync(Token);

        await terminal.TypeAsync("sleep 600\r", Token);
        await terminal.WaitForAsync("sleep 600", Token); // echoed: the shell has read the line
        await Task.Delay(TimeSpan.FromSeconds(2), Token);
        await terminal.TypeAsync("\x03", Token);
        await terminal.TypeAsync("echo rc-$?\r", Token);

        await terminal.WaitForAsync("rc-130", Token);
    }

    [Fact]
    public async Task Reattach_AfterADroppedSocket_IsTheSameShell()
    {
        var server = fixture.RequireServer();
        await using var terminal = await PtyTerminal.OpenAsync(server, fixture.SharedSessionId, Token);
        await terminal.WaitReadyAsync(Token);
        await terminal.TypeAsync("echo first-$$-end\r", Token);
        var first = (await terminal.WaitForAsync(@"first-(\d+)-end", Token)).Groups[1].Value;

        await terminal.DropAsync();
        await terminal.AttachAsync(Token);
        var from = terminal.Screen.Length;
        await terminal.TypeAsync("echo second-$$-end\r", Token);
        var second = (await terminal.WaitForAsync(@"second-(\d+)-end", Token, from)).Groups[1].Value;

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task KillingTheSession_EndsThePty()
    {
        var server = fixture.RequireServer();
        using var client = server.CreateClient(server.AdminKey);
        var sessionId = await Api.CreateSessionAsync(client, server.AdminKey, 600, null, Token);
        await using var terminal = await PtyTerminal.OpenAsync(server, sessionId, Token);
        await terminal.WaitReadyAsync(Token);

        var (killed, _) = await Api.PostAsync(client, "/kill", new { session_id = sessionId }, Token);
        await terminal.WaitClosedAsync();
        var (_, pty) = await Api.GetAsync(client, terminal.Path, Token);

        Assert.Equal(HttpStatusCode.OK, killed);
        Assert.Equal("exited", pty!["status"]!.GetValue<string>());
    }
}
