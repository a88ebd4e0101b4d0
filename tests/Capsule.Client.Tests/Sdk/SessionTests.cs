namespace Capsule.Client.Tests.Sdk;

/// <summary>Session lifecycle through the SDK against the real server (fake machines).</summary>
public sealed class SessionTests : IAsyncLifetime
{
    private readonly CapsuleApp _app = new();
    private CapsuleClient _client = null!;

    public ValueTask InitializeAsync()
    {
        _client = _app.Sdk(_app.AdminKey);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task GetAppUrlAsync_Port_IsTheSameShareUrlEachTimeAndNamesNoSessionId()
    {
        await using var session = await _client.CreateSessionAsync(new SessionOptions(), Bounded.Token).Bound();

        var first = await session.GetAppUrlAsync(8000, Bounded.Token).Bound();
        var again = await session.GetAppUrlAsync(8000, Bounded.Token).Bound();

        Assert.Equal(first.Url, again.Url);
        Assert.Equal(8000, first.Port);
        Assert.Equal(session.Id, first.SessionId);
        Assert.Equal("created", first.Status);
        Assert.DoesNotContain(session.Id, first.Url.ToString(), StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => session.GetAppUrlAsync(0, Bounded.Token));
    }

    [Fact]
    public async Task CreateSessionAsync_WithShape_ServerKeepsIt()
    {
        var session = await _client.CreateSessionAsync(new SessionOptions
        {
            Lifetime = TimeSpan.FromSeconds(600),
            MemoryMb = 1024,
            VcpuCount = 4,
            Metadata = new Dictionary<string, string> { ["team"] = "blue" },
        }, Bounded.Token).Bound();

        var info = await session.GetInfoAsync(Bounded.Token).Bound();

        Assert.True(Guid.TryParse(session.Id, out _));
        Assert.Equal(session.Id, info.SessionId);
        Assert.Equal("created", info.Status);
        Assert.Equal(4, info.VcpuCount);
        Assert.Equal(1024, info.MemoryMb);
        Assert.Equal(TimeSpan.FromSeconds(600), info.Lifetime);
        Assert.Equal("blue", info.Metadata["team"]);
        Assert.Equal(CapsuleApp.Epoch, info.CreatedAt);
        Assert.Empty(_app.Machines.Started);
    }

    [Fact]
    public async Task CreateSessionAsync_SubSecondLifetime_RoundsUpToWholeSeconds()
    {
        var session = await _client.CreateSessionAsync(new SessionOptions { Lifetime = TimeSpan.FromSeconds(20.2) }, Bounded.Token).Bound();

        var info = await session.GetInfoAsync(Bounded.Token).Bound();

        Assert.Equal(TimeSpan.FromSeconds(21), info.Lifetime);
    }

    [Fact]
    public async Task CreateSessionAsync_WithEnv_BootsVmWithThatEnv()
    {
        var session = await _client.CreateSessionAsync(
            new SessionOptions { Env = new Dictionary<string, string> { ["FOO"] = "bar" } }, Bounded.Token).Bound();

        var status = await session.GetStatusAsync(Bounded.Token).Bound();

        var machine = Assert.Single(_app.Machines.Started);
        Assert.Equal("bar", machine.Spec.Env["FOO"]);
        Assert.True(status.VmAlive);
        Assert.Equal("active", status.VmStatus);
        Assert.Equal(machine.MachineId, status.VmId);
    }

    [Fact]
    public async Task GetStatusAsync_NewSession_ReportsNoVm()
    {
        var session = await _client.CreateSessionAsync(cancellationToken: Bounded.Token).Bound();

        var status = await session.GetStatusAsync(Bounded.Token).Bound();

        Assert.Equal(session.Id, status.SessionId);
        Assert.True(status.Exists);
        Assert.False(status.VmAssigned);
        Assert.False(status.VmAlive);
        Assert.Null(status.VmStatus);
        Assert.Null(status.VmId);
        Assert.Null(status.Uptime);
        Assert.Equal(CapsuleApp.Epoch, status.CreatedAt);
    }

    [Fact]
    public async Task GetStatusAsync_UnknownSession_ThrowsSessionNotFound()
    {
        var id = Guid.NewGuid().ToString();

        var error = await Assert.ThrowsAsync<SessionNotFoundException>(() => _client.GetSession(id).GetStatusAsync(Bounded.Token)).Bound();

        Assert.Equal(id, error.SessionId);
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal("Session not found", error.Detail);
    }

    [Fact]
    public async Task GetStatusAsync_AnotherKeysSession_ThrowsSessionNotFound()
    {
        var session = await _client.CreateSessionAsync(cancellationToken: Bounded.Token).Bound();
        using var other = _app.Sdk((await _app.CreateKeyAsync(Bounded.Token)).Key);

        await Assert.ThrowsAsync<SessionNotFoundException>(() => other.GetSession(session.Id).GetStatusAsync(Bounded.Token)).Bound();
    }

    [Fact]
    public async Task KillAsync_AfterExecute_DestroysVm()
    {
        var session = await _client.CreateSessionAsync(cancellationToken: Bounded.Token).Bound();
        await session.ExecuteAsync("print(1)", cancellationToken: Bounded.Token).Bound();
        var machine = Assert.Single(_app.Machines.Started);

        var killed = await session.KillAsync(Bounded.Token).Bound();
        var status = await session.GetStatusAsync(Bounded.Token).Bound();

        Assert.Equal(session.Id, killed.SessionId);
        Assert.Equal(machine.MachineId, killed.VmId);
        Assert.True(machine.IsDisposed);
        Assert.Equal("killed", status.VmStatus);
        Assert.False(status.VmAlive);
    }

    [Fact]
    public async Task KillAsync_NoVm_ThrowsSessionNotFound()
    {
        var session = await _client.CreateSessionAsync(cancellationToken: Bounded.Token).Bound();

        var error = await Assert.ThrowsAsync<SessionNotFoundException>(() => session.KillAsync(Bounded.Token)).Bound();

        Assert.Contains("No VM", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisposeAsync_ActiveSession_KillsVm()
    {
        await using (var session = await _client.CreateSessionAsync(cancellationToken: Bounded.Token).Bound())
            await session.ExecuteAsync("x = 1", cancellationToken: Bounded.Token).Bound();

        Assert.True(Assert.Single(_app.Machines.Started).IsDisposed);
    }

    [Fact]
    public async Task DisposeAsync_NoVm_DoesNotThrow()
    {
        var session = await _client.CreateSessionAsync(cancellationToken: Bounded.Token).Bound();

        await session.DisposeAsync().AsTask().Bound();

        Assert.Empty(_app.Machines.Started);
    }

    [Fact]
    public async Task ExtendAsync_RunningVm_ExpiresThatLongFromNow()
    {
        var session = await _client.CreateSessionAsync(new SessionOptions { Lifetime = TimeSpan.FromSeconds(60) }, Bounded.Token).Bound();
        await session.ExecuteAsync("x = 1", cancellationToken: Bounded.Token).Bound();
        _app.Time.Advance(TimeSpan.FromSeconds(30));

        var status = await session.ExtendAsync(TimeSpan.FromSeconds(600), Bounded.Token).Bound();

        Assert.True(status.VmAlive);
        Assert.Equal(TimeSpan.FromSeconds(600), status.ExpiresIn);
    }

    [Fact]
    public async Task ExtendAsync_PastTheDailyCap_ThrowsValidation()
    {
        var session = await _client.CreateSessionAsync(cancellationToken: Bounded.Token).Bound();
        await session.ExecuteAsync("x = 1", cancellationToken: Bounded.Token).Bound();
        _app.Time.Advance(TimeSpan.FromSeconds(100));

        var error = await Assert.ThrowsAsync<ValidationException>(() => session.ExtendAsync(TimeSpan.FromSeconds(86400), Bounded.Token)).Bound();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.StatusCode);
        Assert.Contains(error.Errors, e => e.Location.SequenceEqual(["body", "vm_lifetime_seconds"]));
    }

    [Fact]
    public async Task GetUsageAsync_AfterTwoExecutions_CountsThem()
    {
        var session = await _client.CreateSessionAsync(new SessionOptions { MemoryMb = 256 }, Bounded.Token).Bound();
        await session.ExecuteAsync("a", cancellationToken: Bounded.Token).Bound();
        await session.ExecuteAsync("b", cancellationToken: Bounded.Token).Bound();

        var usage = await session.GetUsageAsync(Bounded.Token).Bound();

        Assert.Equal(session.Id, usage.SessionId);
        Assert.Equal(2, usage.ExecutionsCount);
        Assert.Equal(256, usage.MemoryMb);
        Assert.Equal("active", usage.VmStatus);
    }

    [Fact]
    public async Task ListAsync_MetadataFilter_ReturnsOnlyMatchingOwnSessions()
    {
        var blue = await _client.CreateSessionAsync(
            new SessionOptions { Metadata = new Dictionary<string, string> { ["team"] = "blue", ["env"] = "ci" } }, Bounded.Token).Bound();
        var red = await _client.CreateSessionAsync(
            new SessionOptions { Metadata = new Dictionary<string, string> { ["team"] = "red" } }, Bounded.Token).Bound();
        using var other = _app.Sdk((await _app.CreateKeyAsync(Bounded.Token)).Key);
        await other.CreateSessionAsync(new SessionOptions { Metadata = new Dictionary<string, string> { ["team"] = "blue" } }, Bounded.Token).Bound();

        var all = await _client.ListAsync(cancellationToken: Bounded.Token).Bound();
        var blues = await _client.ListAsync(new Dictionary<string, string> { ["team"] = "blue" }, cancellationToken: Bounded.Token).Bound();

        Assert.Equal(new[] { blue.Id, red.Id }.Order(StringComparer.Ordinal), all.Select(s => s.SandboxId).Order(StringComparer.Ordinal));
        var only = Assert.Single(blues);
        Assert.Equal(blue.Id, only.SandboxId);
        Assert.Equal("ci", only.Metadata["env"]);
        Assert.Equal("snap2", only.TemplateId);
        Assert.Equal("created", only.Status);
    }

    [Fact]
    public async Task ListAsync_Limit_CapsTheAnswer()
    {
        for (var i = 0; i < 3; i++)
            await _client.CreateSessionAsync(cancellationToken: Bounded.Token).Bound();

        var two = await _client.ListAsync(limit: 2, cancellationToken: Bounded.Token).Bound();

        Assert.Equal(2, two.Count);
    }
}
