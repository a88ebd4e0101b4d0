namespace Capsule.EndToEnd.Tests;

/// <summary>Every QEMU process dies with the server, however it stops; a restart clears what is left.</summary>
public sealed class ShutdownTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stop_Sigterm_LeavesNoQemuProcess()
    {
        SkipIfMissing();
        await using var server = await ServerProcess.StartAsync(null, Token);
        using var client = server.CreateClient();
        await Api.CreateSessionAsync(client, server.AdminKey, 600, new Dictionary<string, string> { ["A"] = "1" }, Token);
        Assert.NotEmpty(QemuProcesses.Matching(server.DataDir));

        var exited = await server.SignalAndWaitAsync(15, TimeSpan.FromSeconds(60), Token);
        var survivors = await QemuProcesses.WaitGoneAsync(server.DataDir, TimeSpan.FromSeconds(5), Token);

        Assert.True(exited, "server did not exit after SIGTERM");
        Assert.Empty(survivors);
    }

    [Fact]
    public async Task Stop_Sigkill_QemuDiesWithServerAndRestartMarksSessionLost()
    {
        SkipIfMissing();
        string dataDir;
        string sessionId;
        await using (var server = await ServerProcess.StartAsync(null, Token))
        {
            dataDir = server.DataDir;
            using var client = server.CreateClient();
            sessionId = await Api.CreateSessionAsync(client, server.AdminKey, 600, new Dictionary<string, string> { ["A"] = "1" }, Token);
            Assert.NotEmpty(QemuProcesses.Matching(dataDir));

            Assert.True(await server.SignalAndWaitAsync(9, TimeSpan.FromSeconds(30), Token));
            Assert.Empty(await QemuProcesses.WaitGoneAsync(dataDir, TimeSpan.FromSeconds(15), Token));
        }

        await using var restarted = await ServerProcess.StartAsync(dataDir, Token);
        using var again = restarted.CreateClient();
        var (status, body) = await Api.GetAsync(again, $"/v1/sessions/status/{sessionId}", Token);
        var runFolders = Directory.Exists(Path.Combine(dataDir, "run"))
            ? Directory.GetDirectories(Path.Combine(dataDir, "run"))
            : [];

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body!["vm_alive"]!.GetValue<bool>());
        Assert.NotEqual("active", body["vm_status"]?.GetValue<string>());
        Assert.Empty(runFolders);
    }

    private static void SkipIfMissing()
    {
        if (Prerequisites.MissingReason() is { } reason)
            Assert.Skip(reason);
    }
}
