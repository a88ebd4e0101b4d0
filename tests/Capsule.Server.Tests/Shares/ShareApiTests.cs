namespace Capsule.Server.Tests.Shares;

/// <summary>
/// App URLs and shares through the API: URLs on the apps origin, named by an unguessable share id; validation; the
/// owner's changes. The forwarding itself runs against real guests (Capsule.EndToEnd.Tests, AppUrlTests).
/// </summary>
public sealed class ShareApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AppUrl_PortGiven_IsAPrivateShareOnTheAppsOriginAndTheSameEachTime()
    {
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, Ct);

        var (status, first) = await client.GetJsonAsync($"/v1/sessions/app-url/{sessionId}?port=8000", Ct);
        var (_, again) = await client.GetJsonAsync($"/v1/sessions/app-url/{sessionId}?port=8000", Ct);
        var (_, other) = await client.GetJsonAsync($"/v1/sessions/app-url/{sessionId}?port=3000", Ct);

        Assert.Equal(HttpStatusCode.OK, status);
        JsonShape.AssertExactly(first, ("url", JsonValueKind.String), ("direct_url", JsonValueKind.String), ("vm_ip", JsonValueKind.String),
            ("port", JsonValueKind.Number), ("vm_id", JsonValueKind.Null), ("session_id", JsonValueKind.String), ("status", JsonValueKind.String),
            ("expires_in_seconds", JsonValueKind.Null));
        var url = (string)first!["url"]!;
        Assert.Matches("^http://127\\.0\\.0\\.1:8079/[a-z2-7]{26}/$", url);
        Assert.DoesNotContain(sessionId, url, StringComparison.Ordinal);
        Assert.Equal(url, (string?)again!["url"]);
        Assert.NotEqual(url, (string?)other!["url"]);
        Assert.Equal(8000, (int)first["port"]!);
        Assert.Equal("created", (string?)first["status"]);
        var (_, shares) = await client.GetJsonAsync("/v1/shares", Ct);
        Assert.Equal(2, shares!.AsArray().Count);
        Assert.All(shares.AsArray(), s => Assert.False((bool)s!["is_public"]!));
    }

    [Fact]
    public async Task AppUrl_NoPort_IsPort80()
    {
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, Ct);

        var (_, body) = await client.GetJsonAsync($"/v1/sessions/app-url/{sessionId}", Ct);

        Assert.Equal(80, (int)body!["port"]!);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("http")]
    public async Task AppUrl_BadPort_Is422NamingPort(string port)
    {
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, Ct);

        var (status, body) = await client.GetJsonAsync($"/v1/sessions/app-url/{sessionId}?port={port}", Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("port", (string?)body!["detail"]![0]!["loc"]![1]);
    }

    [Fact]
    public async Task CreateShare_PublicThenPrivateThenRevoke_AnswersTheShareEachTime()
    {
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, Ct);

        var (created, share) = await client.PostJsonAsync("/v1/shares", new JsonObject { ["session_id"] = sessionId, ["port"] = 8000, ["is_public"] = true }, Ct);
        var id = (string)share!["share_id"]!;
        var (_, privateNow) = await client.PatchJsonAsync($"/v1/shares/{id}", new JsonObject { ["is_public"] = false }, Ct);
        var (_, revoked) = await client.PatchJsonAsync($"/v1/shares/{id}", new JsonObject { ["revoke"] = true }, Ct);
        var (again, detail) = await client.PatchJsonAsync($"/v1/shares/{id}", new JsonObject { ["is_public"] = true }, Ct);

        Assert.Equal(HttpStatusCode.OK, created);
        JsonShape.AssertExactly(share, ("share_id", JsonValueKind.String), ("session_id", JsonValueKind.String), ("port", JsonValueKind.Number),
            ("is_public", JsonValueKind.True), ("url", JsonValueKind.String), ("status", JsonValueKind.String), ("created_at", JsonValueKind.String),
            ("revoked_at", JsonValueKind.Null));
        Assert.Equal($"http://127.0.0.1:8079/{id}/", (string?)share["url"]);
        Assert.False((bool)privateNow!["is_public"]!);
        Assert.Equal("revoked", (string?)revoked!["status"]);
        Assert.NotNull((string?)revoked["revoked_at"]);
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Equal("The share is revoked; make a new one", (string?)detail!["detail"]);
    }

    [Theory]
    [InlineData("{}", "session_id")]
    [InlineData("{\"session_id\": \"x\"}", "port")]
    [InlineData("{\"session_id\": \"x\", \"port\": 0}", "port")]
    [InlineData("{\"session_id\": \"x\", \"port\": 80, \"is_public\": \"maybe\"}", "is_public")]
    public async Task CreateShare_BadBody_Is422NamingTheField(string body, string field)
    {
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var (status, answer) = await client.PostRawAsync("/v1/shares", body, Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains(answer!["detail"]!.AsArray(), e => (string?)e!["loc"]![1] == field);
    }

    [Fact]
    public async Task UpdateShare_EmptyBody_Is422AndUnknownShareIs404()
    {
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var (empty, _) = await client.PatchJsonAsync("/v1/shares/abcdefghijklmnopqrstuvwxyz", new JsonObject(), Ct);
        var (unknown, detail) = await client.PatchJsonAsync("/v1/shares/abcdefghijklmnopqrstuvwxyz", new JsonObject { ["revoke"] = true }, Ct);
        var (junk, _) = await client.PatchJsonAsync("/v1/shares/..%2F..", new JsonObject { ["revoke"] = true }, Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty);
        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Equal("Share not found", (string?)detail!["detail"]);
        Assert.Equal(HttpStatusCode.NotFound, junk);
    }

    [Fact]
    public async Task Shares_SurviveARestart()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("capsule-st-").FullName;
        try
        {
            string shareId;
            string key;
            await using (var first = new CapsuleApp(dataDirectory))
            {
                key = first.AdminKey;
                using var client = first.Client(key);
                var sessionId = await client.CreateSessionAsync(key, Ct);
                var (_, share) = await client.PostJsonAsync("/v1/shares", new JsonObject { ["session_id"] = sessionId, ["port"] = 8000 }, Ct);
                shareId = (string)share!["share_id"]!;
            }
            await using var second = new CapsuleApp(dataDirectory);
            using var again = second.Client(key);

            var (_, list) = await again.GetJsonAsync("/v1/shares", Ct);

            Assert.Equal([shareId], list!.AsArray().Select(s => (string)s!["share_id"]!));
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
