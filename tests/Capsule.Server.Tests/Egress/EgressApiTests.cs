namespace Capsule.Server.Tests.Egress;

/// <summary>
/// InstaVM's egress endpoints: the policy in force, validation (422 at the entry), deny-all stored and kept, and a policy
/// that allows traffic refused with 501 because this server cannot enforce it yet (never stored and not enforced).
/// </summary>
public sealed class EgressApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_NewSession_IsTheDefaultDenyAllWithInstaVmsFields()
    {
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, Ct);

        var (status, body) = await client.GetJsonAsync($"/v1/egress/session/{sessionId}", Ct);

        Assert.Equal(HttpStatusCode.OK, status);
        JsonShape.AssertExactly(body, ("session_id", JsonValueKind.String), ("allow_package_managers", JsonValueKind.False),
            ("allow_http", JsonValueKind.False), ("allow_https", JsonValueKind.False), ("allowed_domains", JsonValueKind.Array),
            ("allowed_cidrs", JsonValueKind.Array));
    }

    [Fact]
    public async Task Post_DenyAll_IsStoredAndAnsweredAndSurvivesARestart()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("capsule-st-").FullName;
        try
        {
            string sessionId;
            string key;
            await using (var first = new CapsuleApp(dataDirectory))
            {
                key = first.AdminKey;
                using var client = first.Client(key);
                sessionId = await client.CreateSessionAsync(key, Ct);
                var (status, body) = await client.PostJsonAsync($"/v1/egress/session/{sessionId}",
                    new JsonObject { ["allow_http"] = false, ["allowed_domains"] = new JsonArray(), ["allowed_cidrs"] = new JsonArray() }, Ct);
                Assert.Equal(HttpStatusCode.OK, status);
                Assert.False((bool)body!["allow_https"]!);
            }
            await using var second = new CapsuleApp(dataDirectory);
            using var again = second.Client(key);

            var (after, policy) = await again.GetJsonAsync($"/v1/egress/session/{sessionId}", Ct);

            Assert.Equal(HttpStatusCode.OK, after);
            Assert.Empty(policy!["allowed_cidrs"]!.AsArray());
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Theory]
    [InlineData("allow_https", "true")]
    [InlineData("allow_package_managers", "true")]
    [InlineData("allowed_domains", "[\"example.com\", \"*.pypi.org\"]")]
    [InlineData("allowed_cidrs", "[\"203.0.113.0/24\"]")]
    public async Task Post_PolicyThatAllowsTraffic_Is501AndNothingChanges(string field, string value)
    {
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, Ct);

        var (status, body) = await client.PostRawAsync($"/v1/egress/session/{sessionId}", $"{{\"{field}\": {value}}}", Ct);
        var (_, policy) = await client.GetJsonAsync($"/v1/egress/session/{sessionId}", Ct);

        Assert.Equal(HttpStatusCode.NotImplemented, status);
        Assert.StartsWith("This server enforces deny-all egress only so far", (string?)body!["detail"], StringComparison.Ordinal);
        Assert.False((bool)policy!["allow_https"]!);
        Assert.Empty(policy["allowed_domains"]!.AsArray());
    }

    [Theory]
    [InlineData("{\"allowed_cidrs\": [\"not-a-cidr\"]}", "allowed_cidrs", 0)]
    [InlineData("{\"allowed_cidrs\": [\"10.0.0.0/8\", \"10.0.0.1/33\"]}", "allowed_cidrs", 1)]
    [InlineData("{\"allowed_domains\": [\"exa mple.com\"]}", "allowed_domains", 0)]
    [InlineData("{\"allowed_domains\": [\"ok.example\", \"*.\"]}", "allowed_domains", 1)]
    [InlineData("{\"allowed_domains\": [\"a.*.example.com\"]}", "allowed_domains", 0)]
    [InlineData("{\"allowed_domains\": [\"192.0.2.1\"]}", "allowed_domains", 0)]
    public async Task Post_MalformedEntry_Is422AtItsIndex(string body, string field, int index)
    {
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, Ct);

        var (status, answer) = await client.PostRawAsync($"/v1/egress/session/{sessionId}", body, Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var error = answer!["detail"]![0]!;
        Assert.Equal("value_error", (string?)error["type"]);
        Assert.Equal(["body", field, index.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            error["loc"]!.AsArray().Select(l => l!.ToString()));
    }

    [Theory]
    [InlineData("{\"allowed_cidrs\": \"10.0.0.0/8\"}", "list_type")]
    [InlineData("{\"allowed_domains\": [1]}", "string_type")]
    [InlineData("{\"allow_http\": \"perhaps\"}", "bool_parsing")]
    public async Task Post_WrongType_Is422WithPydanticsType(string body, string type)
    {
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, Ct);

        var (status, answer) = await client.PostRawAsync($"/v1/egress/session/{sessionId}", body, Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(type, (string?)answer!["detail"]![0]!["type"]);
    }

    [Fact]
    public async Task Create_WithEgressPolicy_ValidatesItAtItsPathAndStoresDenyAll()
    {
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var (bad, error) = await client.PostJsonAsync("/v1/sessions/session",
            new JsonObject { ["api_key"] = app.AdminKey, ["egress_policy"] = new JsonObject { ["allowed_cidrs"] = new JsonArray("x") } }, Ct);
        var (allowing, _) = await client.PostJsonAsync("/v1/sessions/session",
            new JsonObject { ["api_key"] = app.AdminKey, ["egress_policy"] = new JsonObject { ["allow_https"] = true } }, Ct);
        var (_, listed) = await client.GetJsonAsync("/v1/sessions/sandboxes", Ct);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, Ct,
            new JsonObject { ["egress_policy"] = new JsonObject { ["allow_http"] = false } });
        var (_, policy) = await client.GetJsonAsync($"/v1/egress/session/{sessionId}", Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad);
        Assert.Equal(["body", "egress_policy", "allowed_cidrs", "0"], error!["detail"]![0]!["loc"]!.AsArray().Select(l => l!.ToString()));
        Assert.Equal(HttpStatusCode.NotImplemented, allowing);
        Assert.Empty(listed!.AsArray());
        Assert.False((bool)policy!["allow_http"]!);
    }

    [Fact]
    public async Task UnknownSession_Is404()
    {
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var (get, _) = await client.GetJsonAsync($"/v1/egress/session/{Guid.NewGuid()}", Ct);
        var (post, _) = await client.PostJsonAsync($"/v1/egress/session/{Guid.NewGuid()}", new JsonObject(), Ct);

        Assert.Equal(HttpStatusCode.NotFound, get);
        Assert.Equal(HttpStatusCode.NotFound, post);
    }
}
