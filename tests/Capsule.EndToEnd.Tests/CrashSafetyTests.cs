namespace Capsule.EndToEnd.Tests;

/// <summary>
/// SIGKILL of the server with real VMs running and executions in flight: the restart leaves nothing of the old run
/// behind (QEMU processes, run folders with their sockets and disk overlays, RAM files), records the running sessions
/// as <c>host_restart</c> and the in-flight executions as failed, and loses nothing stored.
/// </summary>
public sealed class CrashSafetyTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sigkill_WithExecutionsInFlight_RestartCleansUpAndKeepsEverythingStored()
    {
        if (Prerequisites.MissingReason() is { } reason)
            Assert.Skip(reason);
        // Both servers share this data dir, so the test owns it (a server deletes only a data dir it made).
        var dataDir = Directory.CreateTempSubdirectory("capsule-e2e-").FullName;
        var runDir = Path.Combine(dataDir, "run");
        try
        {
            Before before;
            var slotsBefore = NetworkNamespaces.Slots();
            await using (var server = await TestServer.StartAsync(dataDir, Token))
            {
                using var admin = server.CreateClient();
                before = await ArrangeAsync(admin, server.AdminKey);
                var qemuPids = QemuProcesses.Matching(dataDir);
                var oldFolders = Directory.GetDirectories(runDir).Select(Path.GetFileName).ToList();
                Assert.NotEmpty(qemuPids);
                Assert.NotEmpty(oldFolders);
                var oldSlots = NetworkNamespaces.Slots().Except(slotsBefore).ToList();
                if (File.Exists("/usr/sbin/nft"))
                    Assert.NotEmpty(oldSlots);
                before = before with { QemuPids = qemuPids, RunFolders = oldFolders!, NetworkSlots = oldSlots };

                Assert.True(await server.SignalAndWaitAsync(PosixSignal.Sigkill, TimeSpan.FromSeconds(30), Token),
                    "the server did not die of SIGKILL");
            }
            // QEMU dies with its parent (parent-death signal), before any restart cleans up.
            Assert.Empty(await QemuProcesses.WaitGoneAsync(dataDir, TimeSpan.FromSeconds(30), Token));

            await using var restarted = await TestServer.StartAsync(
                dataDir, Token, new Dictionary<string, string> { ["Capsule__Vm__WarmPoolSize"] = "0", ["Capsule__Network__ReadySlots"] = "0" });
            using var client = restarted.CreateClient(restarted.AdminKey);

            AssertNothingLeft(before, runDir);
            await AssertSessionsEndedAsync(client, before);
            await AssertExecutionsAsync(client, before);
            await AssertKeysKeptAsync(client, before);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>Two sessions with VMs, a finished and an in-flight async execution, a sync execution in flight, a second key.</summary>
    private static async Task<Before> ArrangeAsync(HttpClient admin, string adminKey)
    {
        var (keyStatus, key) = await Api.PostAsync(admin, "/v1/api-keys/",
            new JsonObject { ["api_key"] = adminKey, ["description"] = "kept across a crash" }, Token);
        Assert.True(keyStatus == HttpStatusCode.Created, $"key create: {keyStatus} {key}");
        var memberKey = key!["api_key"]!.GetValue<string>();
        var memberKeyId = key["id"]!.GetValue<string>();

        var first = await Api.CreateSessionAsync(admin, adminKey, 600, new Dictionary<string, string> { ["A"] = "1" }, Token);
        var second = await Api.CreateSessionAsync(admin, adminKey, 600, null, Token);
        var done = await StartAsyncExecutionAsync(admin, first, "print('finished before the crash')");
        await WaitCompletedAsync(admin, done);
        Assert.Equal("2\n", (await Api.ExecuteAsync(admin, second, "print(1 + 1)", null, Token))["stdout"]!.GetValue<string>());

        var inFlight = await StartAsyncExecutionAsync(admin, first, "import time\nprint('started', flush=True)\ntime.sleep(600)");
        await WaitRunningAsync(admin, inFlight);
        // A synchronous execution still waiting for its result when the server dies: its client sees the connection drop.
        var syncInFlight = Api.PostAsync(admin, "/execute",
            new JsonObject { ["command"] = "sleep 600", ["language"] = "bash", ["session_id"] = second, ["timeout"] = 600 }, Token);
        await Task.Delay(TimeSpan.FromSeconds(1), Token);
        Assert.False(syncInFlight.IsCompleted, "the in-flight execution ended before the crash");
        _ = syncInFlight.ContinueWith(t => t.Exception, TaskScheduler.Default);

        return new Before(memberKey, memberKeyId, [first, second], done, inFlight, [], [], []);
    }

    private static void AssertNothingLeft(Before before, string runDir)
    {
        // By command line, not pid alone: a pid (or a thread id under /proc) may be reused by now.
        Assert.Empty(QemuProcesses.Matching(runDir).Intersect(before.QemuPids));
        var left = Directory.Exists(runDir) ? Directory.GetDirectories(runDir).Select(Path.GetFileName).ToList() : [];
        Assert.Empty(left.Intersect(before.RunFolders));
        // What the old machines had: sockets, overlays, logs, pid files; with no warm pool (and no ready slots) nothing new runs yet.
        Assert.Empty(Directory.Exists(runDir) ? Directory.GetFileSystemEntries(runDir, "*", SearchOption.AllDirectories) : []);
        // The old machines' network slots (namespace, tap, veth, rules): the restart's janitor removed them.
        Assert.Empty(NetworkNamespaces.Slots().Intersect(before.NetworkSlots));
    }

    private static async Task AssertSessionsEndedAsync(HttpClient client, Before before)
    {
        foreach (var session in before.Sessions)
        {
            var (status, info) = await Api.GetAsync(client, $"/v1/sessions/session/{session}", Token);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("host_restart", info!["status"]!.GetValue<string>());
            Assert.Equal("host_restart", info["end_reason"]!.GetValue<string>());
            Assert.NotNull(info["ended_at"]);
            Assert.Equal(600, info["vm_lifetime_seconds"]!.GetValue<int>());
            var (_, state) = await Api.GetAsync(client, $"/v1/sessions/status/{session}", Token);
            Assert.False(state!["vm_alive"]!.GetValue<bool>());
        }
        // The session is usable again: a fresh VM, with its env vars.
        var again = await Api.ExecuteAsync(client, before.Sessions[0], "echo $A", "bash", Token);
        Assert.Equal("1\n", again["stdout"]!.GetValue<string>());
    }

    private static async Task AssertExecutionsAsync(HttpClient client, Before before)
    {
        var (_, done) = await Api.GetAsync(client, $"/v1/executions/{before.FinishedTask}", Token);
        Assert.Equal("completed", done!["status"]!.GetValue<string>());
        Assert.Equal("finished before the crash\n", done["serialized_stdout"]!.GetValue<string>());

        var (_, lost) = await Api.GetAsync(client, $"/v1/executions/{before.InFlightTask}", Token);
        Assert.Equal("failed", lost!["status"]!.GetValue<string>());
        Assert.True(lost["is_complete"]!.GetValue<bool>());
        Assert.Contains("restarted", lost["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static async Task AssertKeysKeptAsync(HttpClient client, Before before)
    {
        var (status, key) = await Api.GetAsync(client, $"/v1/api-keys/{before.MemberKeyId}", Token);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("kept across a crash", key!["description"]!.GetValue<string>());
        using var member = new HttpClient { BaseAddress = client.BaseAddress };
        member.DefaultRequestHeaders.Add("X-API-Key", before.MemberKey);
        var (listStatus, _) = await Api.GetAsync(member, "/v1/sessions/sandboxes", Token);
        Assert.Equal(HttpStatusCode.OK, listStatus);
    }

    private static async Task<string> StartAsyncExecutionAsync(HttpClient client, string sessionId, string code)
    {
        var (status, body) = await Api.PostAsync(client, "/execute_async",
            new JsonObject { ["command"] = code, ["session_id"] = sessionId, ["timeout"] = 600 }, Token);
        Assert.True(status == HttpStatusCode.OK, $"execute_async: {status} {body}");
        return body!["task_id"]!.GetValue<string>();
    }

    private static Task WaitCompletedAsync(HttpClient client, string taskId) =>
        WaitForAsync(client, taskId, e => e["status"]!.GetValue<string>() == "completed");

    /// <summary>Running, with its first output seen: the code is inside the guest.</summary>
    private static Task WaitRunningAsync(HttpClient client, string taskId) =>
        WaitForAsync(client, taskId, e => e["status"]!.GetValue<string>() == "running"
            && e["serialized_stdout"]!.GetValue<string>().Contains("started", StringComparison.Ordinal));

    private static async Task WaitForAsync(HttpClient client, string taskId, Func<JsonNode, bool> done)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(Token);
        patience.CancelAfter(TimeSpan.FromMinutes(2));
        while (true)
        {
            var (_, execution) = await Api.GetAsync(client, $"/v1/executions/{taskId}", patience.Token);
            if (done(execution!))
                return;
            await Task.Delay(TimeSpan.FromMilliseconds(100), patience.Token);
        }
    }

    private sealed record Before(
        string MemberKey,
        string MemberKeyId,
        IReadOnlyList<string> Sessions,
        string FinishedTask,
        string InFlightTask,
        IReadOnlyList<int> QemuPids,
        IReadOnlyList<string> RunFolders,
        IReadOnlyList<string> NetworkSlots);
}
