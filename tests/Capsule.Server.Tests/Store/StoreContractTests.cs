using System.Data.Common;
using Capsule.Server.Egress;
using Capsule.Server.Store;

namespace Capsule.Server.Tests.Store;

/// <summary>
/// What every store backend must do alike: round trips, conflicts, listing order, usage sums, bulk state changes and
/// re-running migrations. Each test starts on an empty, migrated database. Subclasses: SQLite, PostgreSQL.
/// </summary>
public abstract class StoreContractTests : IAsyncLifetime
{
    /// <summary>Has sub-microsecond ticks, so a backend that keeps less must say so through <see cref="Stored"/>.</summary>
    private static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)).AddTicks(1234567);

    private StoreSet? _stores;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    private protected StoreSet Stores => _stores ?? throw new InvalidOperationException("Not initialised");

    /// <summary>Opens the backend on an empty database and migrates it; skips the test when the backend is missing.</summary>
    private protected abstract Task<StoreSet> OpenAsync(CancellationToken cancellationToken);

    /// <summary>The migration versions recorded in <c>schema_version</c>, in order.</summary>
    private protected abstract Task<IReadOnlyList<int>> SchemaVersionsAsync(CancellationToken cancellationToken);

    private protected abstract int LatestVersion { get; }

    /// <summary>What the backend gives back for a time it was given (UTC; PostgreSQL keeps whole microseconds).</summary>
    private protected abstract DateTimeOffset Stored(DateTimeOffset time);

    public async ValueTask InitializeAsync() => _stores = await OpenAsync(Ct);

    public async ValueTask DisposeAsync()
    {
        if (_stores is not null)
            await _stores.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task ApiKey_InsertThenGetAndFindByHash_RoundTrips()
    {
        var key = Key("a", admin: true) with { RevokedAt = T0.AddDays(1) };
        await Stores.Keys.InsertAsync(key, Ct);

        var expected = key with { CreatedAt = Stored(key.CreatedAt), RevokedAt = Stored(key.RevokedAt!.Value) };
        Assert.Equal(expected, await Stores.Keys.GetAsync(key.Id, Ct));
        Assert.Equal(expected, await Stores.Keys.FindByHashAsync(key.KeyHash, Ct));
        Assert.Equal(TimeSpan.Zero, (await Stores.Keys.GetAsync(key.Id, Ct))!.CreatedAt.Offset);
        Assert.Null(await Stores.Keys.GetAsync("key_missing", Ct));
        Assert.Null(await Stores.Keys.FindByHashAsync("0000", Ct));
    }

    [Fact]
    public async Task ApiKey_InsertSameIdOrSameHash_Refused()
    {
        var key = Key("a");
        await Stores.Keys.InsertAsync(key, Ct);

        await Assert.ThrowsAnyAsync<DbException>(() => Stores.Keys.InsertAsync(key with { KeyHash = "other" }, Ct));
        await Assert.ThrowsAnyAsync<DbException>(() => Stores.Keys.InsertAsync(key with { Id = "key_other" }, Ct));
        Assert.Single(await Stores.Keys.ListAsync(Ct));
    }

    [Fact]
    public async Task ApiKey_List_OldestFirstAndTiesInInsertOrder()
    {
        await Stores.Keys.InsertAsync(Key("late") with { CreatedAt = T0.AddMinutes(5) }, Ct);
        await Stores.Keys.InsertAsync(Key("tie2"), Ct);
        await Stores.Keys.InsertAsync(Key("tie1"), Ct);
        await Stores.Keys.InsertAsync(Key("early") with { CreatedAt = T0.AddMinutes(-5) }, Ct);

        var ids = (await Stores.Keys.ListAsync(Ct)).Select(k => k.Id);

        Assert.Equal(["key_early", "key_tie2", "key_tie1", "key_late"], ids);
    }

    [Fact]
    public async Task ApiKey_ActiveAdmins_CountOnlyUnrevokedAdmins()
    {
        Assert.False(await Stores.Keys.HasActiveAdminAsync(Ct));
        await Stores.Keys.InsertAsync(Key("user"), Ct);
        Assert.False(await Stores.Keys.HasActiveAdminAsync(Ct));
        await Stores.Keys.InsertAsync(Key("admin1", admin: true), Ct);
        await Stores.Keys.InsertAsync(Key("admin2", admin: true), Ct);
        await Stores.Keys.InsertAsync(Key("admin3", admin: true) with { RevokedAt = T0 }, Ct);

        Assert.True(await Stores.Keys.HasActiveAdminAsync(Ct));
        Assert.Equal(2, await Stores.Keys.CountActiveAdminsAsync(Ct));
        Assert.True(await Stores.Keys.RevokeAsync("key_admin1", T0, Ct));
        Assert.Equal(1, await Stores.Keys.CountActiveAdminsAsync(Ct));
    }

    [Fact]
    public async Task ApiKey_RevokeAndDescribe_ReportWhetherTheyChangedARow()
    {
        await Stores.Keys.InsertAsync(Key("a"), Ct);

        Assert.True(await Stores.Keys.UpdateDescriptionAsync("key_a", "renamed ✓", Ct));
        Assert.False(await Stores.Keys.UpdateDescriptionAsync("key_missing", "x", Ct));
        Assert.True(await Stores.Keys.RevokeAsync("key_a", T0.AddHours(1), Ct));
        Assert.False(await Stores.Keys.RevokeAsync("key_a", T0.AddHours(2), Ct));
        Assert.False(await Stores.Keys.RevokeAsync("key_missing", T0, Ct));

        var key = await Stores.Keys.GetAsync("key_a", Ct);
        Assert.Equal("renamed ✓", key!.Description);
        Assert.Equal(Stored(T0.AddHours(1)), key.RevokedAt);
    }

    [Fact]
    public async Task Session_InsertThenGet_RoundTripsEveryField()
    {
        await KeysAsync("key_a");
        var session = Session("key_a") with
        {
            MetadataJson = """{"team": "ünïcode", "n": [1, 2.50]}""",
            Env = new Dictionary<string, string> { ["A"] = "1", ["PATH"] = "/x:/y", ["EMPTY"] = "" },
            VmId = "vm-1",
            VmState = VmState.Expired,
            SpawnedAt = T0.AddSeconds(1),
            EndedAt = T0.AddSeconds(2),
        };
        await Stores.Sessions.InsertAsync(session, Ct);

        var read = await Stores.Sessions.GetAsync(session.SessionId, Ct);

        Assert.NotNull(read);
        Assert.Equal(session.MetadataJson, read.MetadataJson);
        Assert.Equal(session.Env, read.Env);
        Assert.Equal(
            session with { CreatedAt = Stored(T0), SpawnedAt = Stored(T0.AddSeconds(1)), EndedAt = Stored(T0.AddSeconds(2)), Env = read.Env },
            read);
        Assert.Null(await Stores.Sessions.GetAsync(Guid.NewGuid(), Ct));
    }

    [Fact]
    public async Task Session_InsertSameId_Refused()
    {
        await KeysAsync("key_a", "key_b");
        var session = Session("key_a");
        await Stores.Sessions.InsertAsync(session, Ct);

        await Assert.ThrowsAnyAsync<DbException>(() => Stores.Sessions.InsertAsync(session with { ApiKeyId = "key_b" }, Ct));
        Assert.Equal("key_a", (await Stores.Sessions.GetAsync(session.SessionId, Ct))!.ApiKeyId);
    }

    [Fact]
    public async Task Session_ListByKey_NewestFirstOnlyThatKeysAndTiesNewestInsertFirst()
    {
        await KeysAsync("key_a", "key_b");
        var old = Session("key_a") with { CreatedAt = T0.AddMinutes(-1) };
        var tie1 = Session("key_a");
        var tie2 = Session("key_a");
        var newest = Session("key_a") with { CreatedAt = T0.AddMinutes(1) };
        foreach (var session in new[] { tie1, newest, old, tie2, Session("key_b") })
            await Stores.Sessions.InsertAsync(session, Ct);

        var ids = (await Stores.Sessions.ListByKeyAsync("key_a", Ct)).Select(s => s.SessionId);

        Assert.Equal([newest.SessionId, tie2.SessionId, tie1.SessionId, old.SessionId], ids);
        Assert.Empty(await Stores.Sessions.ListByKeyAsync("key_none", Ct));
    }

    [Fact]
    public async Task Session_SpawnEndSpawnAgain_RecordsTheLatestVm()
    {
        var session = await AddSessionAsync("key_a");

        await Stores.Sessions.MarkSpawnedAsync(session.SessionId, "vm-1", T0.AddSeconds(1), Ct);
        await Stores.Sessions.MarkEndedAsync(session.SessionId, VmState.Oom, "the guest ran out of memory", T0.AddSeconds(2), Ct);
        var ended = await Stores.Sessions.GetAsync(session.SessionId, Ct);
        await Stores.Sessions.MarkSpawnedAsync(session.SessionId, "vm-2", T0.AddSeconds(3), Ct);
        await Stores.Sessions.UpdateLifetimeAsync(session.SessionId, 7200, Ct);
        var again = await Stores.Sessions.GetAsync(session.SessionId, Ct);

        Assert.Equal((VmState.Oom, "vm-1", "the guest ran out of memory"), (ended!.VmState, ended.VmId, ended.EndDetail));
        Assert.Equal(Stored(T0.AddSeconds(2)), ended.EndedAt);
        Assert.Equal((VmState.Active, "vm-2", null, null), (again!.VmState, again.VmId, again.EndDetail, again.EndedAt));
        Assert.Equal(Stored(T0.AddSeconds(3)), again.SpawnedAt);
        Assert.Equal(7200, again.VmLifetimeSeconds);
    }

    [Fact]
    public async Task Session_AddExecution_SumsCountAndCpuTimeEvenWhenConcurrent()
    {
        var session = await AddSessionAsync("key_a");

        await Task.WhenAll(Enumerable.Range(1, 20).Select(i => Stores.Sessions.AddExecutionAsync(session.SessionId, i * 1000L, Ct)));
        await Stores.Sessions.AddExecutionAsync(session.SessionId, 5_000_000_000L, Ct);

        var read = await Stores.Sessions.GetAsync(session.SessionId, Ct);
        Assert.Equal(21, read!.ExecutionsCount);
        Assert.Equal(210_000L + 5_000_000_000L, read.CpuTimeMs);
    }

    [Fact]
    public async Task Session_MarkActiveAsHostRestart_EndsOnlyActiveOnes()
    {
        await KeysAsync("key_a", "key_b");
        var active1 = Session("key_a");
        var active2 = Session("key_b");
        var killed = Session("key_a");
        var never = Session("key_a");
        foreach (var session in new[] { active1, active2, killed, never })
            await Stores.Sessions.InsertAsync(session, Ct);
        await Stores.Sessions.MarkSpawnedAsync(active1.SessionId, "vm-1", T0, Ct);
        await Stores.Sessions.MarkSpawnedAsync(active2.SessionId, "vm-2", T0, Ct);
        await Stores.Sessions.MarkSpawnedAsync(killed.SessionId, "vm-3", T0, Ct);
        await Stores.Sessions.MarkEndedAsync(killed.SessionId, VmState.Killed, "killed", T0.AddSeconds(1), Ct);

        Assert.Equal(2, await Stores.Sessions.MarkActiveAsHostRestartAsync("restarted", T0.AddMinutes(1), Ct));
        Assert.Equal(0, await Stores.Sessions.MarkActiveAsHostRestartAsync("again", T0.AddMinutes(2), Ct));

        var restarted = await Stores.Sessions.GetAsync(active1.SessionId, Ct);
        Assert.Equal((VmState.HostRestart, "restarted", Stored(T0.AddMinutes(1))), (restarted!.VmState, restarted.EndDetail, restarted.EndedAt!.Value));
        Assert.Equal(VmState.Killed, (await Stores.Sessions.GetAsync(killed.SessionId, Ct))!.VmState);
        Assert.Null((await Stores.Sessions.GetAsync(never.SessionId, Ct))!.VmState);
    }

    [Fact]
    public async Task Execution_InsertFinishGet_RoundTripsOutputExactly()
    {
        var execution = Execution(await AddSessionAsync("key_a"));
        await Stores.Executions.InsertAsync(execution, Ct);
        Assert.Equal(execution with { CreatedAt = Stored(T0) }, await Stores.Executions.GetAsync(execution.TaskId, Ct));

        var finished = execution with
        {
            Status = ExecutionStatus.Completed,
            Stdout = "nul:\0 end, ünï 🚀\r\n",
            Stderr = "Traceback…\n",
            ExitCode = -9,
            TimedOut = true,
            Truncated = true,
            OomKilled = true,
            ExecutionTime = TimeSpan.FromSeconds(1.25),
            CpuTime = TimeSpan.FromSeconds(0.5),
            CompletedAt = T0.AddSeconds(2),
        };
        await Stores.Executions.FinishAsync(finished, Ct);

        Assert.Equal(finished with { CreatedAt = Stored(T0), CompletedAt = Stored(T0.AddSeconds(2)) },
            await Stores.Executions.GetAsync(execution.TaskId, Ct));
        await Assert.ThrowsAnyAsync<DbException>(() => Stores.Executions.InsertAsync(execution, Ct));
        Assert.Null(await Stores.Executions.GetAsync(Guid.NewGuid(), Ct));
    }

    [Fact]
    public async Task Execution_ListByKey_PagesNewestFirstWithTheKeysTotal()
    {
        var session = await AddSessionAsync("key_a");
        var executions = Enumerable.Range(0, 5).Select(i => Execution(session) with { CreatedAt = T0.AddSeconds(i % 3) }).ToList();
        foreach (var execution in executions)
            await Stores.Executions.InsertAsync(execution, Ct);
        await Stores.Executions.InsertAsync(Execution(await AddSessionAsync("key_b")), Ct);
        // Newest first; equal times (i = 0 and 3, 1 and 4) newest insert first.
        Guid[] order = [executions[2].TaskId, executions[4].TaskId, executions[1].TaskId, executions[3].TaskId, executions[0].TaskId];

        var (first, total) = await Stores.Executions.ListByKeyAsync("key_a", 2, 0, Ct);
        var (second, _) = await Stores.Executions.ListByKeyAsync("key_a", 2, 2, Ct);
        var (beyond, totalBeyond) = await Stores.Executions.ListByKeyAsync("key_a", 2, 10, Ct);

        Assert.Equal(5, total);
        Assert.Equal(order[..2], first.Select(e => e.TaskId));
        Assert.Equal(order[2..4], second.Select(e => e.TaskId));
        Assert.Empty(beyond);
        Assert.Equal(5, totalBeyond);
    }

    [Fact]
    public async Task Execution_MarkRunningThenFailUnfinished_TouchesOnlyUnfinishedOnes()
    {
        var a = await AddSessionAsync("key_a");
        var queued = Execution(a);
        var running = Execution(a);
        var done = Execution(await AddSessionAsync("key_b"));
        foreach (var execution in new[] { queued, running, done })
            await Stores.Executions.InsertAsync(execution, Ct);
        await Stores.Executions.MarkRunningAsync(running.TaskId, Ct);
        await Stores.Executions.FinishAsync(done with { Status = ExecutionStatus.Completed, ExitCode = 0, CompletedAt = T0 }, Ct);
        await Stores.Executions.MarkRunningAsync(done.TaskId, Ct);

        Assert.Equal(ExecutionStatus.Running, (await Stores.Executions.GetAsync(running.TaskId, Ct))!.Status);
        Assert.Equal(ExecutionStatus.Completed, (await Stores.Executions.GetAsync(done.TaskId, Ct))!.Status);
        Assert.Equal(2, await Stores.Executions.FailUnfinishedAsync("server restarted", T0.AddMinutes(1), Ct));
        Assert.Equal(0, await Stores.Executions.FailUnfinishedAsync("again", T0.AddMinutes(2), Ct));

        var failed = await Stores.Executions.GetAsync(queued.TaskId, Ct);
        Assert.Equal((ExecutionStatus.Failed, "server restarted", Stored(T0.AddMinutes(1))), (failed!.Status, failed.Error, failed.CompletedAt!.Value));
        Assert.Null((await Stores.Executions.GetAsync(done.TaskId, Ct))!.Error);
    }

    [Fact]
    public async Task Share_InsertUpdateGet_RoundTripsAndUpdateOfUnknownIsFalse()
    {
        var share = Share("key_a", (await AddSessionAsync("key_a")).SessionId, 8000, "s1");
        await Stores.Shares.InsertAsync(share, Ct);
        Assert.Equal(share with { CreatedAt = Stored(T0) }, await Stores.Shares.GetAsync("s1", Ct));

        var changed = share with { IsPublic = true, RevokedAt = T0.AddHours(1) };
        Assert.True(await Stores.Shares.UpdateAsync(changed, Ct));
        Assert.False(await Stores.Shares.UpdateAsync(changed with { ShareId = "missing" }, Ct));

        Assert.Equal(changed with { CreatedAt = Stored(T0), RevokedAt = Stored(T0.AddHours(1)) }, await Stores.Shares.GetAsync("s1", Ct));
        await Assert.ThrowsAnyAsync<DbException>(() => Stores.Shares.InsertAsync(share, Ct));
        Assert.Null(await Stores.Shares.GetAsync("missing", Ct));
    }

    [Fact]
    public async Task Share_FindPrivate_OldestUnrevokedPrivateShareOfThatKeySessionAndPort()
    {
        await KeysAsync("key_b", "key_c");
        var session = (await AddSessionAsync("key_a")).SessionId;
        await Stores.Shares.InsertAsync(Share("key_a", session, 80, "public") with { IsPublic = true, CreatedAt = T0.AddMinutes(-9) }, Ct);
        await Stores.Shares.InsertAsync(Share("key_a", session, 80, "revoked") with { RevokedAt = T0, CreatedAt = T0.AddMinutes(-8) }, Ct);
        await Stores.Shares.InsertAsync(Share("key_b", session, 80, "other-key") with { CreatedAt = T0.AddMinutes(-7) }, Ct);
        await Stores.Shares.InsertAsync(Share("key_a", session, 81, "other-port") with { CreatedAt = T0.AddMinutes(-6) }, Ct);
        await Stores.Shares.InsertAsync(Share("key_a", session, 80, "newer") with { CreatedAt = T0.AddMinutes(1) }, Ct);
        await Stores.Shares.InsertAsync(Share("key_a", session, 80, "oldest"), Ct);

        Assert.Equal("oldest", (await Stores.Shares.FindPrivateAsync("key_a", session, 80, Ct))?.ShareId);
        Assert.Null(await Stores.Shares.FindPrivateAsync("key_a", Guid.NewGuid(), 80, Ct));
        Assert.Null(await Stores.Shares.FindPrivateAsync("key_c", session, 80, Ct));
    }

    [Fact]
    public async Task Share_ListByKey_NewestFirstWithRevokedOnes()
    {
        await KeysAsync("key_b");
        var session = (await AddSessionAsync("key_a")).SessionId;
        await Stores.Shares.InsertAsync(Share("key_a", session, 80, "b") with { RevokedAt = T0 }, Ct);
        await Stores.Shares.InsertAsync(Share("key_a", session, 81, "c"), Ct);
        await Stores.Shares.InsertAsync(Share("key_a", session, 82, "a") with { CreatedAt = T0.AddSeconds(-1) }, Ct);
        await Stores.Shares.InsertAsync(Share("key_b", session, 83, "z"), Ct);

        Assert.Equal(["c", "b", "a"], (await Stores.Shares.ListByKeyAsync("key_a", Ct)).Select(s => s.ShareId));
    }

    [Fact]
    public async Task Egress_PutTwice_ReplacesThePolicy()
    {
        var session = (await AddSessionAsync("key_a")).SessionId;
        Assert.Null(await Stores.Egress.GetAsync(session, Ct));

        await Stores.Egress.PutAsync(session, EgressPolicy.DenyAll, T0, Ct);
        var policy = new EgressPolicy(true, false, true, ["pypi.org", "*.example.com"], ["10.0.0.0/8"]);
        await Stores.Egress.PutAsync(session, policy, T0.AddMinutes(1), Ct);

        var read = await Stores.Egress.GetAsync(session, Ct);
        Assert.NotNull(read);
        Assert.Equal((true, false, true), (read.AllowPackageManagers, read.AllowHttp, read.AllowHttps));
        Assert.Equal(policy.AllowedDomains, read.AllowedDomains);
        Assert.Equal(policy.AllowedCidrs, read.AllowedCidrs);
        Assert.Null(await Stores.Egress.GetAsync(Guid.NewGuid(), Ct));
    }

    [Fact]
    public async Task Insert_RowsNamingUnknownKeysOrSessions_Refused()
    {
        var session = await AddSessionAsync("key_a");

        await Assert.ThrowsAnyAsync<DbException>(() => Stores.Sessions.InsertAsync(Session("key_unknown"), Ct));
        await Assert.ThrowsAnyAsync<DbException>(() => Stores.Executions.InsertAsync(Execution(session) with { ApiKeyId = "key_unknown" }, Ct));
        await Assert.ThrowsAnyAsync<DbException>(() => Stores.Executions.InsertAsync(Execution(session) with { SessionId = Guid.NewGuid() }, Ct));
        await Assert.ThrowsAnyAsync<DbException>(() => Stores.Shares.InsertAsync(Share("key_unknown", session.SessionId, 80, "s1"), Ct));
        await Assert.ThrowsAnyAsync<DbException>(() => Stores.Shares.InsertAsync(Share("key_a", Guid.NewGuid(), 80, "s2"), Ct));
        await Assert.ThrowsAnyAsync<DbException>(() => Stores.Egress.PutAsync(Guid.NewGuid(), EgressPolicy.DenyAll, T0, Ct));

        Assert.Empty(await Stores.Shares.ListByKeyAsync("key_a", Ct));
        Assert.Equal(0, (await Stores.Executions.ListByKeyAsync("key_a", 10, 0, Ct)).Total);
    }

    [Fact]
    public async Task Migrate_AgainOnAMigratedDatabase_ChangesNothing()
    {
        await Stores.Keys.InsertAsync(Key("kept"), Ct);

        await Stores.Migrations.MigrateAsync(Ct);
        await Stores.Migrations.MigrateAsync(Ct);

        Assert.Equal([LatestVersion], await SchemaVersionsAsync(Ct));
        Assert.NotNull(await Stores.Keys.GetAsync("key_kept", Ct));
    }

    /// <summary>Inserts plain keys with these ids, unless they exist (rows must name an existing key).</summary>
    private async Task KeysAsync(params string[] ids)
    {
        foreach (var id in ids)
        {
            if (await Stores.Keys.GetAsync(id, Ct) is null)
                await Stores.Keys.InsertAsync(Key(id["key_".Length..]), Ct);
        }
    }

    private async Task<SessionRecord> AddSessionAsync(string keyId)
    {
        await KeysAsync(keyId);
        var session = Session(keyId);
        await Stores.Sessions.InsertAsync(session, Ct);
        return session;
    }

    private static ApiKeyRecord Key(string name, bool admin = false) => new()
    {
        Id = $"key_{name}",
        KeyHash = $"hash-{name}",
        KeyPrefix = "capsule_sk_Ab",
        Description = $"key {name}",
        IsAdmin = admin,
        CreatedAt = T0,
    };

    private static SessionRecord Session(string keyId) => new()
    {
        SessionId = Guid.NewGuid(),
        ApiKeyId = keyId,
        CreatedAt = T0,
        VmLifetimeSeconds = 3600,
        MemoryMb = 512,
        VcpuCount = 2,
        Env = new Dictionary<string, string>(),
    };

    private static ExecutionRecord Execution(SessionRecord session) => new()
    {
        TaskId = Guid.NewGuid(),
        ApiKeyId = session.ApiKeyId,
        SessionId = session.SessionId,
        Status = ExecutionStatus.Queued,
        CreatedAt = T0,
    };

    private static ShareRecord Share(string keyId, Guid sessionId, int port, string id) => new()
    {
        ShareId = id,
        SessionId = sessionId,
        ApiKeyId = keyId,
        Port = port,
        IsPublic = false,
        CreatedAt = T0,
    };
}
