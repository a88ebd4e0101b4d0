namespace Capsule.Server.Tests.Auth;

public sealed class RateLimitTests
{
    private static readonly Dictionary<string, string?> Tight = new()
    {
        ["Capsule:RateLimit:RequestsPerSecond"] = "1",
        ["Capsule:RateLimit:Burst"] = "2",
    };

    [Fact]
    public async Task OverBurst_Returns429WithRetryAfter_RefillsWithTime()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp(settings: Tight);
        using var client = app.Client(app.AdminKey);

        var first = await client.GetJsonAsync("/v1/api-keys/", ct);
        var second = await client.GetJsonAsync("/v1/api-keys/", ct);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/api-keys/");
        using var third = await client.SendAsync(request, ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
        var thirdBody = JsonNode.Parse(await third.Content.ReadAsStringAsync(ct));
        app.Time.Advance(TimeSpan.FromSeconds(1));
        var afterRefill = await client.GetJsonAsync("/v1/api-keys/", ct);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        JsonShape.AssertJson("""{"detail":"Rate limit exceeded"}""", thirdBody);
        Assert.Equal("1", third.Headers.GetValues("Retry-After").Single());
        Assert.Equal(HttpStatusCode.OK, afterRefill.Status);
    }

    [Fact]
    public async Task Limit_IsPerKey()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp(settings: Tight);
        using var admin = app.Client(app.AdminKey);
        var (_, otherKey) = await app.CreateKeyAsync(ct);
        using var other = app.Client(otherKey);

        for (var i = 0; i < 2; i++)
            await admin.GetJsonAsync("/v1/api-keys/", ct);
        var (adminStatus, _) = await admin.GetJsonAsync("/v1/api-keys/", ct);
        var (otherStatus, _) = await other.GetJsonAsync("/v1/api-keys/", ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, adminStatus);
        Assert.Equal(HttpStatusCode.OK, otherStatus);
    }

    [Fact]
    public async Task Limit_CountsBodyKeys_AndExemptsHealthAndDocs()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp(settings: Tight);
        using var anonymous = app.Client(apiKey: null);

        var created = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            var (status, _) = await anonymous.PostJsonAsync("/v1/sessions/session", new JsonObject { ["api_key"] = app.AdminKey }, ct);
            created.Add(status);
        }
        var health = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => anonymous.GetJsonAsync("/health", ct)));
        using var docs = await anonymous.GetAsync(new Uri("/docs", UriKind.Relative), ct).WaitAsync(TimeSpan.FromSeconds(30), ct);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], created);
        Assert.All(health, h => Assert.Equal(HttpStatusCode.OK, h.Status));
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
    }

    [Fact]
    public async Task Limit_ZeroRequestsPerSecond_TurnsItOff()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp(settings: new Dictionary<string, string?>
        {
            ["Capsule:RateLimit:RequestsPerSecond"] = "0",
            ["Capsule:RateLimit:Burst"] = "1",
        });
        using var client = app.Client(app.AdminKey);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
            statuses.Add((await client.GetJsonAsync("/v1/api-keys/", ct)).Status);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
    }

    [Fact]
    public async Task InvalidConfig_FailsAtStartWithEveryProblem()
    {
        await using (var app = new CapsuleApp(settings: new Dictionary<string, string?>
        {
            ["Capsule:RateLimit:RequestsPerSecond"] = "-1",
            ["Capsule:RateLimit:Burst"] = "0",
        }))
        {
            // As in RestartTests and BodyLimitTests: a failed minimal-hosting start sometimes surfaces as
            // WebApplicationFactory's own ObjectDisposedException, so the messages are asserted on the validator the start runs.
            Assert.ThrowsAny<Exception>(app.StartServer);
        }
        var error = new Capsule.Server.RateLimiting.RateLimitOptionsValidator().Validate(
            null, new Capsule.Server.RateLimiting.RateLimitOptions { RequestsPerSecond = -1, Burst = 0 });

        Assert.True(error.Failed);
        Assert.Contains("RequestsPerSecond must be 0 (off) or more", error.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Burst must be at least 1", error.FailureMessage, StringComparison.Ordinal);
    }
}
