using System.Text.Json.Nodes;

namespace Capsule.Client.Tests.Cli;

/// <summary><c>capsule egress get|set</c> and <c>capsule share create|ls|revoke|token</c> as a real process (no VM needed).</summary>
[Collection(CliCollection.Name)]
public sealed class CliNetworkTests(CliFixture fixture)
{
    [Fact]
    public async Task EgressGet_Human_PrintsEachRule()
    {
        var session = await CreateSessionAsync();

        var result = await fixture.RunAsync(["egress", "get", session]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"(?m)^package managers:\s+allowed$", result.Stdout); // the shipped default
        Assert.Matches(@"(?m)^https:\s+denied$", result.Stdout);
        Assert.Matches(@"(?m)^domains:\s+none$", result.Stdout);
    }

    [Fact]
    public async Task EgressSet_DenyAllJson_PrintsThePolicyInForce()
    {
        var session = await CreateSessionAsync();

        var result = await fixture.RunAsync(["egress", "set", session, "--package-managers", "false", "--json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = JsonNode.Parse(result.Stdout)!;
        Assert.False(json["allow_package_managers"]!.GetValue<bool>());
        Assert.False(json["allow_https"]!.GetValue<bool>());
        Assert.Empty(json["allowed_domains"]!.AsArray());
        Assert.Empty(json["allowed_cidrs"]!.AsArray());
    }

    [Fact]
    public async Task EgressSet_RulesGiven_SendsThemAndReportsTheServersAnswer()
    {
        var session = await CreateSessionAsync();

        var malformed = await fixture.RunAsync(["egress", "set", session, "--cidr", "10.0.0.0/99"]);
        var allowing = await fixture.RunAsync(["egress", "set", session, "--https", "--domain", "pypi.org", "--domain", "*.example.com", "--json"]);
        var badBool = await fixture.RunAsync(["egress", "set", session, "--package-managers", "maybe"]);
        var unknown = await fixture.RunAsync(["egress", "get", Guid.NewGuid().ToString()]);

        // The server validates the CIDR (422); an allowing policy is stored and printed as the policy in force.
        Assert.Equal(2, malformed.ExitCode);
        Assert.Contains("allowed_cidrs", malformed.Stderr, StringComparison.Ordinal);
        Assert.True(allowing.ExitCode == 0, allowing.ToString());
        var policy = JsonNode.Parse(allowing.Stdout)!;
        Assert.True(policy["allow_https"]!.GetValue<bool>());
        Assert.False(policy["allow_package_managers"]!.GetValue<bool>());
        Assert.Equal(["pypi.org", "*.example.com"], policy["allowed_domains"]!.AsArray().Select(d => d!.GetValue<string>()));
        Assert.Equal(1, badBool.ExitCode);
        Assert.Equal(2, unknown.ExitCode);
    }

    [Fact]
    public async Task Share_CreateLsTokenRevoke_Json()
    {
        var session = await CreateSessionAsync();

        var created = await fixture.RunAsync(["share", "create", session, "8000", "--public", "--json"]);
        var share = JsonNode.Parse(created.Stdout)!;
        var id = share["share_id"]!.GetValue<string>();
        var listed = await fixture.RunAsync(["share", "ls", "--json"]);
        var token = await fixture.RunAsync(["share", "token", id, "--json"]);
        var revoked = await fixture.RunAsync(["share", "revoke", id, "--json"]);
        var again = await fixture.RunAsync(["share", "revoke", id]);

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.True(share["is_public"]!.GetValue<bool>());
        Assert.Equal(8000, share["port"]!.GetValue<int>());
        Assert.Equal(session, share["session_id"]!.GetValue<string>());
        Assert.Equal($"{fixture.Server.AppsUrl}{id}/", share["url"]!.GetValue<string>());
        Assert.Contains(JsonNode.Parse(listed.Stdout)!.AsArray(), s => s!["share_id"]!.GetValue<string>() == id);
        Assert.True(token.ExitCode == 0, token.ToString());
        Assert.StartsWith($"{fixture.Server.AppsUrl}{id}/?capsule_share_token=", JsonNode.Parse(token.Stdout)!["url"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(60, JsonNode.Parse(token.Stdout)!["expires_in_seconds"]!.GetValue<double>());
        Assert.Equal("revoked", JsonNode.Parse(revoked.Stdout)!["status"]!.GetValue<string>());
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("The share is revoked", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Share_Human_PrintsTheUrlAndTheTable()
    {
        var session = await CreateSessionAsync();

        var created = await fixture.RunAsync(["share", "create", session, "3000"]);
        var listed = await fixture.RunAsync(["share", "ls"]);
        var badPort = await fixture.RunAsync(["share", "create", session, "70000"]);
        var unknown = await fixture.RunAsync(["share", "revoke", "abcdefghijklmnopqrstuvwxyz"]);

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Matches(@"(?m)^url:\s+http://127\.0\.0\.1:\d+/[a-z2-7]{26}/$", created.Stdout);
        Assert.Matches(@"(?m)^public:\s+no$", created.Stdout);
        Assert.StartsWith("ID\tSESSION\tPORT\tPUBLIC\tSTATUS\tURL", listed.Stdout, StringComparison.Ordinal);
        Assert.Contains($"\t{session}\t3000\tno\tactive\t", listed.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, badPort.ExitCode);
        Assert.Contains("port must be 1 to 65535", badPort.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("Share not found", unknown.Stderr, StringComparison.Ordinal);
    }

    private async Task<string> CreateSessionAsync()
    {
        var created = await fixture.RunAsync(["create", "--lifetime", "120"]);
        Assert.True(created.ExitCode == 0, created.ToString());
        return created.Stdout.Trim();
    }
}
