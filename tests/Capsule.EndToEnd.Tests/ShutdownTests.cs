namespace Capsule.EndToEnd.Tests;

/// <summary>Every QEMU process dies with the server, however it stops; a restart clears what is left.</summary>
public sealed class ShutdownTests
{
    private static readonly Dictionary<string, string> NoWarmPool = new() { ["Capsule__Vm__WarmPoolSize"] = "0" };

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
        // Both servers share this data dir, so the test owns it (a server deletes only a data dir it made).
        var dataDir = Directory.CreateTempSubdirectory("capsule-e2e-").FullName;
        try
        {
            string sessionId;
            await using (var server = await ServerProcess.StartAsync(dataDir, Token))
            {
                using var client = server.CreateClient();
                sessionId = await Api.CreateSessionAsync(client, server.AdminKey, 600, new Dictionary<string, string> { ["A"] = "1" }, Token);
                Assert.NotEmpty(QemuProcesses.Matching(dataDir));

                Assert.True(await server.SignalAndWaitAsync(9, TimeSpan.FromSeconds(30), Token));
                Assert.Empty(await QemuProcesses.WaitGoneAsync(dataDir, TimeSpan.FromSeconds(15), Token));
            }

            // No warm pool after the restart: its fresh machines would live in run/ too, and this asserts that the
            // restart cleared what the killed server left there.
            await using var restarted = await ServerProcess.StartAsync(dataDir, NoWarmPool, Token);
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
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static void SkipIfMissing()
    {
        if (Prerequisites.MissingReason() is { } reason)
            Assert.Skip(reason);
    }
}
