using Capsule.Vm;

namespace Capsule.Server.Tests.Health;

public sealed class HealthTests
{
    [Fact]
    public async Task Health_NoKey_ReturnsExactShape()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(apiKey: null);

        var (status, body) = await client.GetJsonAsync("/health", ct);

        Assert.Equal(HttpStatusCode.OK, status);
        JsonShape.AssertExactly(body,
            ("status", JsonValueKind.String), ("version", JsonValueKind.String), ("accelerator", JsonValueKind.String),
            ("accelerator_reason", JsonValueKind.String), ("network", JsonValueKind.False), ("network_reason", JsonValueKind.String),
            ("sessions_active", JsonValueKind.Number),
            ("machines_running", JsonValueKind.Number), ("capacity", JsonValueKind.Object), ("warm_pool", JsonValueKind.Array));
        Assert.Equal("ok", (string?)body!["status"]);
        Assert.Equal("tcg", (string?)body["accelerator"]);
        Assert.Equal("no usable KVM (test host)", (string?)body["accelerator_reason"]);
        Assert.Equal(0, (int)body["sessions_active"]!);
        Assert.Equal(0, (int)body["machines_running"]!);
    }

    [Fact]
    public async Task Health_AfterSpawnAndKill_CountsFollowMachines()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var first = await client.CreateSessionAsync(app.AdminKey, ct);
        var second = await client.CreateSessionAsync(app.AdminKey, ct);
        await client.ExecuteOkAsync(first, "1", ct);
        await client.ExecuteOkAsync(second, "2", ct);

        var (_, busy) = await client.GetJsonAsync("/health", ct);
        await client.PostJsonAsync("/kill", new JsonObject { ["session_id"] = first }, ct);
        var (_, after) = await client.GetJsonAsync("/health", ct);

        Assert.Equal(2, (int)busy!["sessions_active"]!);
        Assert.Equal(2, (int)busy["machines_running"]!);
        Assert.Equal(1, (int)after!["sessions_active"]!);
        Assert.Equal(1, (int)after["machines_running"]!);
    }

    [Fact]
    public async Task Health_HostWithLimits_ReportsCapacityAndWarmPools()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
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
            WarmPools = [new WarmPoolInfo(2, 2, 2)],
        };
        using var client = app.Client(apiKey: null);

        var (_, body) = await client.GetJsonAsync("/health", ct);

        JsonShape.AssertJson("""
            {"max_machines":16,"machines":3,"pooled_machines":2,"memory_overcommit_ratio":2.0,"host_memory_total_mb":24000,
             "memory_limit_mb":48000,"memory_committed_mb":768,"host_memory_available_mb":20000,"min_host_available_memory_mb":1024}
            """, body!["capacity"]);
        JsonShape.AssertJson("""[{"vcpu_count":2,"ready":2,"target":2}]""", body["warm_pool"]);
    }
}
