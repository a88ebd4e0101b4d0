using Capsule.Vm;

namespace Capsule.Server.Tests.Metrics;

/// <summary>
/// Meters are process-wide: every in-process server's exporter listens to every "Capsule" meter alive. These tests
/// compare scrapes before and after, so they run alone, with no other test's server recording meanwhile.
/// </summary>
[CollectionDefinition(nameof(MetricsTests), DisableParallelization = true)]
public sealed class MetricsCollection;

[Collection(nameof(MetricsTests))]
public sealed class MetricsTests
{
    private static readonly Dictionary<string, string?> Open = new() { ["Capsule:Metrics:RequireAdmin"] = "false" };

    [Fact]
    public async Task Scrape_AfterCreateAndExecute_CountersAndHistogramsMove()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var before = await client.ScrapeAsync(ct);

        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        await client.ExecuteOkAsync(sessionId, "1", ct);
        var (status, _) = await client.PostJsonAsync("/execute",
            new JsonObject { ["command"] = "echo hi", ["language"] = "bash", ["session_id"] = sessionId }, ct);
        Assert.Equal(HttpStatusCode.OK, status);
        var after = await client.ScrapeAsync(ct);

        Assert.Equal(1, Moved(before, after, "capsule_session_creates_total"));
        Assert.Equal(1, Moved(before, after, "capsule_session_create_duration_seconds_count"));
        Assert.Equal(1, Moved(before, after, "capsule_session_create_duration_seconds_bucket", ("le", "+Inf")));
        Assert.Equal(1, Moved(before, after, "capsule_execute_duration_seconds_count", ("language", "auto")));
        Assert.Equal(1, Moved(before, after, "capsule_execute_duration_seconds_count", ("language", "bash")));
        Assert.Equal(0, Moved(before, after, "capsule_execute_duration_seconds_count", ("language", "python")));
        Assert.True(after.Has("capsule_execute_duration_seconds_sum"));
        Assert.Equal(1, after.Value("capsule_sessions", ("state", "active")));
        Assert.Equal(0, after.Value("capsule_sessions", ("state", "idle")));
        Assert.Equal(1, after.Value("capsule_machines_running"));
    }

    [Fact]
    public async Task Scrape_LabelValues_NeverCarryKeysKeyIdsOrSessionIds()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        var (userKeyId, userKey) = await app.CreateKeyAsync(ct);
        using var admin = app.Client(app.AdminKey);
        using var user = app.Client(userKey);
        var (_, keys) = await admin.GetJsonAsync("/v1/api-keys/", ct);
        var adminKeyId = (string)keys!.AsArray().Single(k => (bool)k!["is_admin"]!)!["id"]!;
        var sessionId = await user.CreateSessionAsync(userKey, ct, new JsonObject { ["metadata"] = new JsonObject { ["owner"] = "metadata-value" } });
        await user.ExecuteOkAsync(sessionId, "print('user-code')", ct);
        await user.PostJsonAsync("/execute", new JsonObject { ["command"] = "x", ["language"] = "user-language", ["session_id"] = sessionId }, ct);

        var scrape = await admin.ScrapeAsync(ct);

        var values = scrape.Samples.SelectMany(s => s.Labels.Values).Distinct(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(values);
        string[] secrets = [app.AdminKey, adminKeyId, userKey, userKeyId, sessionId, "metadata-value", "user-code", "user-language"];
        foreach (var value in values)
            Assert.DoesNotContain(secrets, secret => value.Contains(secret, StringComparison.Ordinal));
        foreach (var secret in secrets)
            Assert.DoesNotContain(secret, scrape.Text, StringComparison.Ordinal);
        Assert.Equal(["auto"], scrape.Samples.Where(s => s.Name == "capsule_execute_duration_seconds_count").Select(s => s.Labels["language"]));
    }

    [Fact]
    public async Task Scrape_RequireAdminByDefault_401WithoutKey_403NonAdmin_200Admin()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        var (_, userKey) = await app.CreateKeyAsync(ct);
        using var anonymous = app.Client(apiKey: null);
        using var wrong = app.Client("not-a-key");
        using var user = app.Client(userKey);
        using var admin = app.Client(app.AdminKey);

        var (noKey, noKeyBody) = await anonymous.GetJsonAsync("/metrics", ct);
        var (badKey, _) = await wrong.GetJsonAsync("/metrics", ct);
        var (nonAdmin, nonAdminBody) = await user.GetJsonAsync("/metrics", ct);
        var scrape = await admin.ScrapeAsync(ct);

        Assert.Equal(HttpStatusCode.Unauthorized, noKey);
        Assert.Equal("Invalid API key or session expired", (string?)noKeyBody!["detail"]);
        Assert.Equal(HttpStatusCode.Unauthorized, badKey);
        Assert.Equal(HttpStatusCode.Forbidden, nonAdmin);
        Assert.Equal("Only an admin API key can read /metrics", (string?)nonAdminBody!["detail"]);
        Assert.True(scrape.Has("capsule_sessions"));
    }

    [Fact]
    public async Task Scrape_RequireAdminFalse_OpenWithoutKey()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp(settings: Open);
        using var anonymous = app.Client(apiKey: null);

        var scrape = await anonymous.ScrapeAsync(ct);

        Assert.True(scrape.Has("capsule_machines_running"));
    }

    [Fact]
    public async Task Scrape_Disabled_NoRoute()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp(settings: new Dictionary<string, string?> { ["Capsule:Metrics:Enabled"] = "false" });
        using var admin = app.Client(app.AdminKey);

        var (status, _) = await admin.GetJsonAsync("/metrics", ct);

        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task EgressDenied_FollowsTheHostsTotalsByKind()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp(settings: Open);
        using var client = app.Client(apiKey: null);
        var before = await client.ScrapeAsync(ct);

        app.Machines.EgressDenials = new EgressDenials(Connections: 1, Lookups: 3);
        var after = await client.ScrapeAsync(ct);

        Assert.Equal(0, before.Value("capsule_egress_denied_total", ("kind", "connection")));
        Assert.Equal(0, before.Value("capsule_egress_denied_total", ("kind", "lookup")));
        Assert.Equal(1, Moved(before, after, "capsule_egress_denied_total", ("kind", "connection")));
        Assert.Equal(3, Moved(before, after, "capsule_egress_denied_total", ("kind", "lookup")));
    }

    [Fact]
    public async Task Refusals_CountedByReason_RestoreFailuresCounted()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp(settings: new Dictionary<string, string?>(Open)
        {
            ["Capsule:RateLimit:MaxRunningSessionsPerKey"] = "1",
        });
        using var scraper = app.Client(apiKey: null);
        using var client = app.Client(app.AdminKey);
        var before = await scraper.ScrapeAsync(ct);

        app.Machines.CapacityRefusal = "16 machines running";
        var (full, _) = await client.PostJsonAsync("/v1/sessions/session", new JsonObject { ["api_key"] = app.AdminKey }, ct);
        app.Machines.CapacityRefusal = null;
        var first = await client.CreateSessionAsync(app.AdminKey, ct);
        app.Machines.FailNextStart = new MachineException(MachineErrorCode.StartFailed, "the restore never became ready");
        var (failed, _) = await client.PostJsonAsync("/execute", new JsonObject { ["command"] = "1", ["session_id"] = first }, ct);
        await client.ExecuteOkAsync(first, "1", ct);
        var (capped, _) = await client.PostJsonAsync("/v1/sessions/session", new JsonObject { ["api_key"] = app.AdminKey }, ct);
        var after = await scraper.ScrapeAsync(ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, full);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed);
        Assert.Equal((HttpStatusCode)429, capped);
        Assert.Equal(1, Moved(before, after, "capsule_refusals_total", ("reason", "capacity")));
        Assert.Equal(1, Moved(before, after, "capsule_refusals_total", ("reason", "caps")));
        Assert.Equal(0, Moved(before, after, "capsule_refusals_total", ("reason", "rate_limit")));
        Assert.Equal(1, Moved(before, after, "capsule_restore_failures_total"));
    }

    [Fact]
    public async Task Refusals_RateLimit_Counted()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp(settings: new Dictionary<string, string?>(Open) { ["Capsule:RateLimit:Burst"] = "1" });
        using var scraper = app.Client(apiKey: null);
        using var client = app.Client(app.AdminKey);
        var before = await scraper.ScrapeAsync(ct);

        var (allowed, _) = await client.GetJsonAsync("/v1/api-keys/", ct);
        var (limited, _) = await client.GetJsonAsync("/v1/api-keys/", ct);
        var after = await scraper.ScrapeAsync(ct);

        Assert.Equal(HttpStatusCode.OK, allowed);
        Assert.Equal((HttpStatusCode)429, limited);
        Assert.Equal(1, Moved(before, after, "capsule_refusals_total", ("reason", "rate_limit")));
    }

    [Fact]
    public async Task HostGauges_FollowTheVmLayersCapacityReport()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp(settings: Open);
        app.Machines.Capacity = new CapacityInfo
        {
            MaxMachines = 16,
            Machines = 3,
            PooledMachines = 2,
            MemoryOvercommitRatio = 2.0,
            HostMemoryTotalMb = 24000,
            MemoryLimitMb = 48000,
            MemoryCommittedMb = 768,
            HostMemoryAvailableMb = 20000,
            MinHostAvailableMemoryMb = 1024,
            WarmPools = [new WarmPoolInfo(1, 0, 1), new WarmPoolInfo(2, 2, 3)],
        };
        using var client = app.Client(apiKey: null);

        var scrape = await client.ScrapeAsync(ct);

        Assert.Equal(768L * 1024 * 1024, scrape.Value("capsule_host_memory_committed_bytes"));
        Assert.Equal(20000L * 1024 * 1024, scrape.Value("capsule_host_memory_available_bytes"));
        Assert.Equal(0, scrape.Value("capsule_warm_pool_ready", ("vcpus", "1")));
        Assert.Equal(1, scrape.Value("capsule_warm_pool_target", ("vcpus", "1")));
        Assert.Equal(2, scrape.Value("capsule_warm_pool_ready", ("vcpus", "2")));
        Assert.Equal(3, scrape.Value("capsule_warm_pool_target", ("vcpus", "2")));
        Assert.Equal(0, scrape.Value("capsule_machines_running"));
    }

    private static double Moved(PrometheusText before, PrometheusText after, string name, params (string Key, string Value)[] labels)
    {
        Assert.True(after.Has(name), $"{name} is not in the scrape:\n{after.Text}");
        return after.Value(name, labels) - before.Value(name, labels);
    }
}
