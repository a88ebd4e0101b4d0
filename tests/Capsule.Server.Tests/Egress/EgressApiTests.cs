namespace Capsule.Server.Tests.Egress;

/// <summary>
/// InstaVM's egress endpoints: the policy in force (the configured default until one is set), validation (422 at the
/// entry), policies stored and kept across restarts, and the one translation into the VM layer's rules, put in force on
/// the running VM at once and on a VM spawned later. Enforcement itself is tested with real guests (EndToEnd, Network).
/// </summary>
public sealed class EgressApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_NewSession_IsTheShippedDefault_PackageManagersOnly_WithInstaVmsFields()
    {
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, Ct);

        var (status, body) = await client.GetJsonAsync($"/v1/egress/session/{sessionId}", Ct);

        Assert.Equal(HttpStatusCode.OK, status);
        JsonShape.AssertExactly(body, ("session_id", JsonValueKind.String), ("allow_package_managers", JsonValueKind.True),
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

    [Fact]
    public async Task Get_DefaultFromConfiguration_IsAnsweredAndGivenToTheVm()
    {
        await using var app = new CapsuleApp(settings: new Dictionary<string, string?>
        {
            ["Capsule:Network:DefaultEgress:AllowPackageManagers"] = "false",
            ["Capsule:Network:DefaultEgress:AllowedDomains:0"] = "Example.COM",
        });
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, Ct);

        var (_, policy) = await client.GetJsonAsync($"/v1/egress/session/{sessionId}", Ct);
        await client.ExecuteOkAsync(sessionId, "print(1)", Ct);

        Assert.False((bool)policy!["allow_package_managers"]!);
        Assert.Equal(["example.com"], policy["allowed_domains"]!.AsArray().Select(d => (string?)d));
        Assert.Equal(["example.com"], app.Machines.Started.Single().Egress.Domains);
    }

    [Fact]
    public async Task Post_PolicyThatAllowsTraffic_IsStoredAnswered_AndPutInForceOnTheRunningVm()
    {
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, Ct);
        await client.ExecuteOkAsync(sessionId, "print(1)", Ct);
        var machine = app.Machines.Started.Single();
        Assert.Contains("pypi.org", machine.Egress.Domains); // the shipped default at spawn

        var (status, body) = await client.PostRawAsync($"/v1/egress/session/{sessionId}",
            "{\"allow_https\": true, \"allowed_domains\": [\"*.Example.com\"], \"allowed_cidrs\": [\"203.0.113.0/24\", \"2001:db8::/32\"]}", Ct);
        var (_, policy) = await client.GetJsonAsync($"/v1/egress/session/{sessionId}", Ct);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True((bool)body!["allow_https"]!);
        Assert.False((bool)policy!["allow_package_managers"]!); // absent fields are false, as InstaVM's are
        Assert.Equal(["*.example.com"], policy["allowed_domains"]!.AsArray().Select(d => (string?)d));
        Assert.Equal(["203.0.113.0/24", "2001:db8::/32"], policy["allowed_cidrs"]!.AsArray().Select(d => (string?)d));
        var rules = machine.Egress;
        Assert.True(rules.AnyHttps);
        Assert.False(rules.AnyHttp);
        Assert.Equal(["*.example.com"], rules.Domains); // no package-manager hosts once they are not allowed
        Assert.Equal([System.Net.IPNetwork.Parse("203.0.113.0/24")], rules.Cidrs); // IPv6 has no effect: guests have none
    }

    [Fact]
    public async Task Post_ForAnEndedSession_IsKeptForItsNextVm()
    {
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, Ct);
        await client.ExecuteOkAsync(sessionId, "print(1)", Ct);
        await client.PostJsonAsync("/kill", new JsonObject { ["session_id"] = sessionId }, Ct);

        var (status, _) = await client.PostRawAsync($"/v1/egress/session/{sessionId}", "{\"allow_http\": true}", Ct);
        await client.ExecuteOkAsync(sessionId, "print(2)", Ct);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, app.Machines.Started.Count);
        Assert.True(app.Machines.Started[1].Egress.AnyHttp);
        Assert.Empty(app.Machines.Started[1].Egress.Domains);
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
    public async Task Create_WithEgressPolicy_ValidatesItAtItsPathAndStoresIt()
    {
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var (bad, error) = await client.PostJsonAsync("/v1/sessions/session",
            new JsonObject { ["api_key"] = app.AdminKey, ["egress_policy"] = new JsonObject { ["allowed_cidrs"] = new JsonArray("x") } }, Ct);
        var (_, listed) = await client.GetJsonAsync("/v1/sessions/sandboxes", Ct);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, Ct,
            new JsonObject { ["egress_policy"] = new JsonObject { ["allow_https"] = true } });
        var (_, policy) = await client.GetJsonAsync($"/v1/egress/session/{sessionId}", Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad);
        Assert.Equal(["body", "egress_policy", "allowed_cidrs", "0"], error!["detail"]![0]!["loc"]!.AsArray().Select(l => l!.ToString()));
        Assert.Empty(listed!.AsArray());
        Assert.True((bool)policy!["allow_https"]!);
        Assert.False((bool)policy["allow_package_managers"]!);
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
