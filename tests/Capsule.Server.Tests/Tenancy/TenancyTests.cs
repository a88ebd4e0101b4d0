using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Capsule.Server.Tests.Tenancy;

/// <summary>
/// Every endpoint that takes a session, execution or key id, tried by another tenant (a second non-admin key, and the
/// admin where it is a tenant like any other) with A's ids, the key in each place a key may go: always 404 with the
/// same detail an unknown id gets, never any of A's data, and A's objects exactly as they were afterwards (a refused
/// kill did not kill, extend did not extend, upload did not write, execute did not run, delete did not revoke).
/// </summary>
public sealed class TenancyTests
{
    /// <summary>Routes that take no id of anyone's (create, listings of one's own, docs), so no probe applies.</summary>
    private static readonly string[] RoutesWithoutIds =
    [
        "POST /v1/sessions/session", "POST /v1/api-keys/", "GET /health", "GET /openapi.json", "GET /docs", "GET /metrics",
        // The dashboard: its page, and sign-in routes that take no id (the page then uses the routes probed here).
        "GET /", "GET /ui/", "POST /ui/api/signin", "GET /ui/api/me", "POST /ui/api/signout", "GET /ui/api/host",
    ];

    /// <summary>The MCP endpoint: ids travel inside tool arguments, so its tenancy is probed in Mcp/McpSecurityTests.</summary>
    private static readonly string[] RoutesProbedElsewhere = ["POST /mcp/", "GET /mcp/", "DELETE /mcp/"];

    public static TheoryData<string, KeyPlace, Intruder> ByIdCases()
    {
        var data = new TheoryData<string, KeyPlace, Intruder>();
        foreach (var probe in TenancyProbes.ById)
        {
            foreach (var place in probe.Places)
            {
                foreach (var intruder in probe.Intruders)
                    data.Add(probe.Name, place, intruder);
            }
        }
        return data;
    }

    public static TheoryData<string, Intruder> ListingCases()
    {
        var data = new TheoryData<string, Intruder>();
        foreach (var probe in TenancyProbes.Listings)
        {
            foreach (var intruder in probe.Intruders)
                data.Add(probe.Name, intruder);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ByIdCases))]
    public async Task AnotherTenantWithAsId_Gets404AndChangesNothing(string endpoint, KeyPlace place, Intruder intruder)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await TenantWorld.CreateAsync(ct);
        var probe = TenancyProbes.ById.Single(p => p.Name == endpoint);
        var before = await world.SnapshotAsync(ct);
        using var client = world.App.Client(apiKey: null);

        using var request = probe.For(world, world.KeyOf(intruder), place);
        var (status, text) = await client.SendRawAsync(request, ct);

        Assert.True(status == HttpStatusCode.NotFound, $"{endpoint} by {intruder} ({place}): {(int)status} {text}");
        JsonShape.AssertJson(new JsonObject { ["detail"] = probe.NotFoundDetail }.ToJsonString(), JsonNode.Parse(text));
        Assert.Equal(before, await world.SnapshotAsync(ct));
        Assert.All(world.App.Machines.Started, m => Assert.False(File.Exists(m.HostPath(TenancyProbes.IntruderUploadPath))));
    }

    [Theory]
    [MemberData(nameof(ListingCases))]
    public async Task Listing_ByAnotherTenant_ShowsNoneOfAsItems(string endpoint, Intruder intruder)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await TenantWorld.CreateAsync(ct);
        var probe = TenancyProbes.Listings.Single(p => p.Name == endpoint);
        using var client = world.App.Client(world.KeyOf(intruder));

        using var request = probe.Build(world);
        var (status, text) = await client.SendRawAsync(request, ct);

        Assert.True(status == HttpStatusCode.OK, $"{endpoint} by {intruder}: {(int)status} {text}");
        foreach (var secret in world.Secrets)
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
    }

    /// <summary>A's own listings do show A's items, so the listing assertions above can fail.</summary>
    [Fact]
    public async Task Listing_ByTheOwner_ShowsItsItems()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await TenantWorld.CreateAsync(ct);

        foreach (var probe in TenancyProbes.Listings)
        {
            using var request = probe.Build(world);
            var (status, text) = await world.AClient.SendRawAsync(request, ct);

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains(probe.Name.StartsWith("GET /v1/executions/", StringComparison.Ordinal) ? world.TaskId
                : probe.Name.StartsWith("GET /v1/api-keys/", StringComparison.Ordinal) ? world.A.Id : world.SessionId, text, StringComparison.Ordinal);
        }
    }

    /// <summary>An endpoint added later must be classified: probed above, or listed as taking no id.</summary>
    [Fact]
    public async Task EveryRoute_IsProbedOrTakesNoId()
    {
        await using var app = new CapsuleApp();
        app.StartServer();
        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Select(method => $"{method} /{e.RoutePattern.RawText!.TrimStart('/')}"))
            .ToHashSet(StringComparer.Ordinal);
        var covered = TenancyProbes.ById.Select(p => p.Name)
            .Concat(TenancyProbes.Listings.Select(p => p.Name))
            .Select(name => name.Split(' ', 3) is [var method, var path, ..] ? $"{method} {path.Split('?')[0]}" : name)
            .Concat(RoutesWithoutIds)
            .Concat(RoutesProbedElsewhere)
            .ToHashSet(StringComparer.Ordinal);

        Assert.Empty(routes.Except(covered));
    }
}
