using Capsule.Agent.Protocol;
using Capsule.Agent.Tests.Support;

namespace Capsule.Agent.Tests.Agent;

/// <summary>pty_open and what follows it (docs/agent-protocol.md, "pty"), against the agent in --listen mode.</summary>
public sealed class PtyTests
{
    [Fact]
    public async Task Open_Tty_NamesAPseudoTerminalWithTheRequestedSize()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var (reply, pty) = await client.OpenPtyAsync(cols: 91, rows: 33);
        Assert.Equal(MessageKind.Ok, reply.Kind);
        await pty.WriteAsync("tty; stty size; echo \"term=$TERM\"\n");

        await pty.WaitForAsync("/dev/pts/");
        await pty.WaitForAsync("33 91");
        await pty.WaitForAsync("term=xterm-256color");
        await pty.CloseAsync();
        await pty.WaitForExitAsync();
    }

    [Fact]
    public async Task Resize_SttySize_FollowsIt()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        var (_, pty) = await client.OpenPtyAsync();

        await pty.ResizeAsync(cols: 120, rows: 50);
        await pty.WriteAsync("stty size\n");

        await pty.WaitForAsync("50 120");
        await pty.CloseAsync();
        await pty.WaitForExitAsync();
    }

    [Fact]
    public async Task CtrlC_InterruptsTheForegroundJob_ShellStays()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        var (_, pty) = await client.OpenPtyAsync();

        await pty.WriteAsync("sleep 100; echo after-$?\n");
        await pty.WriteAsync("echo started-$((6*7))\n"); // typed ahead: echoed while sleep runs
        await pty.WaitForAsync("started-$((6*7))");
        await Task.Delay(TimeSpan.FromMilliseconds(500), TestTimeouts.Token);
        await pty.WriteAsync("\x03");
        await pty.WriteAsync("echo alive-$((6*7))\n");

        await pty.WaitForAsync("alive-42");
        Assert.DoesNotContain("after-0", pty.Screen, StringComparison.Ordinal);
        await pty.CloseAsync();
        await pty.WaitForExitAsync();
    }

    [Fact]
    public async Task Exit_ReportsTheShellsStatus()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        var (_, pty) = await client.OpenPtyAsync();

        await pty.WriteAsync("echo bye; exit 7\n");

        Assert.Equal(7, await pty.WaitForExitAsync());
        Assert.Contains("bye", pty.Screen, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flood_WithoutCredit_StopsAtTheWindow_ThenResumes()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        var (_, pty) = await client.OpenPtyAsync(creditBytes: 4096);

        await pty.WriteAsync("yes flood\n");
        while (pty.ReceivedBytes < 4096)
            await pty.TryReadOneAsync(TimeSpan.FromSeconds(30), grant: false);
        // Nothing beyond the window comes while the host grants nothing.
        Assert.False(await pty.TryReadOneAsync(TimeSpan.FromSeconds(1), grant: false));
        Assert.Equal(4096, pty.ReceivedBytes);

        await pty.GrantAsync(8192);
        while (pty.ReceivedBytes < 4096 + 8192)
            await pty.TryReadOneAsync(TimeSpan.FromSeconds(30), grant: false);
        Assert.Equal(4096 + 8192, pty.ReceivedBytes);

        await pty.CloseAsync();
        await pty.WaitForExitAsync();
    }

    [Fact]
    public async Task SeveralPtys_EachHasItsOwnShell()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        var (_, first) = await client.OpenPtyAsync();
        var (_, second) = await client.OpenPtyAsync();

        await first.WriteAsync("echo one-$((1+1))\n");
        await second.WriteAsync("echo two-$((2+2))\n");

        await first.WaitForAsync("one-2");
        await second.WaitForAsync("two-4");
        Assert.DoesNotContain("two-4", first.Screen, StringComparison.Ordinal);
        await first.CloseAsync();
        await second.CloseAsync();
        await first.WaitForExitAsync();
        await second.WaitForExitAsync();
    }

    [Fact]
    public async Task Open_ShellNotAllowed_IsABadRequest()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var (reply, _) = await client.OpenPtyAsync(shell: "/usr/bin/python3");

        Assert.Equal(MessageKind.Error, reply.Kind);
        Assert.Equal(AgentErrorCode.BadRequest, reply.ErrorCode);
    }

    [Fact]
    public async Task Close_KillsTheShellAndItsBackgroundJobs()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        var (_, pty) = await client.OpenPtyAsync();
        await pty.WriteAsync("sleep 300 & echo \"bg-$!-end\"; echo \"sh-$$-end\"\n");
        var background = await PidAsync(pty, "bg-");
        var shell = await PidAsync(pty, "sh-");

        await pty.CloseAsync();

        Assert.Equal(137, await pty.WaitForExitAsync());
        Assert.True(await TestTimeouts.EventuallyAsync(() => !ProcessCheck.IsAlive(shell) && !ProcessCheck.IsAlive(background), TimeSpan.FromSeconds(15)),
            "the shell or its background job survived pty_close");
    }

    [Fact]
    public async Task Disconnect_KillsEveryShell()
    {
        await using var agent = await AgentProcess.StartAsync();
        int shell;
        await using (var client = await agent.ConnectAsync())
        {
            var (_, pty) = await client.OpenPtyAsync();
            await pty.WriteAsync("echo \"sh-$$-end\"\n");
            shell = await PidAsync(pty, "sh-");
        }

        Assert.True(await TestTimeouts.EventuallyAsync(() => !ProcessCheck.IsAlive(shell), TimeSpan.FromSeconds(15)), "the shell survived the disconnect");
    }

    /// <summary>The number printed as <c>{prefix}N-end</c> (not the echoed command line, which has <c>$</c> there).</summary>
    private static async Task<int> PidAsync(TestPty pty, string prefix)
    {
        var match = await pty.WaitForMatchAsync(System.Text.RegularExpressions.Regex.Escape(prefix) + @"(\d+)-end");
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
