using System.Text.Json;
using System.Text.Json.Nodes;

namespace Capsule.Client.Tests.Cli;

/// <summary>The built <c>capsule</c> as a real process against the real server: everything that needs no VM.</summary>
[Collection(CliCollection.Name)]
public sealed class CliTests(CliFixture fixture)
{
    [Fact]
    public async Task Health_Human_PrintsStatusAndAccelerator()
    {
        var result = await fixture.RunAsync(["health"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"(?m)^status:\s+ok$", result.Stdout);
        Assert.Matches(@"(?m)^accelerator:\s+(kvm|tcg) \(", result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task Health_Json_IsOneJsonObject()
    {
        var result = await fixture.RunAsync(["health", "--json"]);

        var json = JsonNode.Parse(result.Stdout)!;
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("ok", json["status"]!.GetValue<string>());
        Assert.NotNull(json["accelerator_reason"]);
        Assert.NotNull(json["sessions_active"]);
    }

    [Fact]
    public async Task Url_SessionAndPort_PrintsAShareUrlOnTheAppsOrigin()
    {
        var created = await fixture.RunAsync(["create", "--lifetime", "120"]);
        var session = created.Stdout.Trim();

        var result = await fixture.RunAsync(["url", session, "8000"]);
        var bad = await fixture.RunAsync(["url", session, "0"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith(fixture.Server.AppsUrl.ToString(), result.Stdout.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain(session, result.Stdout, StringComparison.Ordinal);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("port must be 1 to 65535", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_Piped_PrintsOnlyTheSessionIdAndNoProgress()
    {
        var result = await fixture.RunAsync(["create", "--lifetime", "120", "--meta", "suite=cli-create"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(Guid.TryParse(result.Stdout.Trim(), out _), result.ToString());
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task CreateThenStatusAndLs_Json_DescribeTheSession()
    {
        var created = await fixture.RunAsync(["create", "--json", "--vcpu", "1", "--memory", "256", "--meta", "suite=cli-ls", "--meta", "n=1"]);
        var id = JsonNode.Parse(created.Stdout)!["session_id"]!.GetValue<string>();

        var status = await fixture.RunAsync(["status", id, "--json"]);
        var listed = await fixture.RunAsync(["ls", "--meta", "suite=cli-ls", "--json"]);

        var statusJson = JsonNode.Parse(status.Stdout)!;
        Assert.Equal(id, statusJson["session_id"]!.GetValue<string>());
        Assert.True(statusJson["exists"]!.GetValue<bool>());
        Assert.False(statusJson["vm_alive"]!.GetValue<bool>());
        Assert.Null(statusJson["vm_status"]);
        Assert.True(statusJson.AsObject().ContainsKey("expires_in_seconds"), status.Stdout);
        var sandbox = Assert.Single(JsonNode.Parse(listed.Stdout)!.AsArray())!;
        Assert.Equal(id, sandbox["sandbox_id"]!.GetValue<string>());
        Assert.Equal("snap1", sandbox["template_id"]!.GetValue<string>());
        Assert.Equal("1", sandbox["metadata"]!["n"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ls_Piped_PrintsTabSeparatedRows()
    {
        var created = await fixture.RunAsync(["create", "--meta", "suite=cli-table"]);
        var id = created.Stdout.Trim();

        var listed = await fixture.RunAsync(["ls", "--meta", "suite=cli-table"]);

        var lines = listed.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(0, listed.ExitCode);
        Assert.Equal("SESSION\tSTATUS\tTEMPLATE\tSTARTED\tENDS\tMETADATA", lines[0]);
        Assert.StartsWith(id + "\tcreated\tsnap2\t", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("\tsuite=cli-table", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", listed.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kill_SessionWithoutVm_ExitsTwoWithTheServersDetail()
    {
        var id = (await fixture.RunAsync(["create"])).Stdout.Trim();

        var result = await fixture.RunAsync(["kill", id]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("No VM", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Exec_UnknownSession_ExitsTwoWithSessionNotFound()
    {
        var result = await fixture.RunAsync(["exec", Guid.NewGuid().ToString(), "print(1)"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Session not found", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCommand_JsonError_IsJsonOnStderr()
    {
        var result = await fixture.RunAsync(["status", Guid.NewGuid().ToString(), "--json"]);

        var error = JsonNode.Parse(result.Stderr)!;
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(404, error["status_code"]!.GetValue<int>());
        Assert.Contains("Session not found", error["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task AnyCommand_ServerUnreachable_ExitsTwo()
    {
        var result = await fixture.RunAsync(["health"], new() { ["CAPSULE_URL"] = "http://127.0.0.1:9" });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Cannot reach the Capsule server at http://127.0.0.1:9/", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCommand_BadArguments_ExitsOneWithoutCallingTheServer()
    {
        var result = await fixture.RunAsync(["create", "--env", "NOEQUALS"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--env expects KEY=VALUE", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_InvalidShape_ExitsTwoWithTheValidationDetail()
    {
        var result = await fixture.RunAsync(["create", "--memory", "129"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("memory_mb", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysCreateLsRevoke_Json_RoundTrip()
    {
        var created = JsonNode.Parse((await fixture.RunAsync(["keys", "create", "--description", "cli test", "--json"])).Stdout)!;
        var keyId = created["id"]!.GetValue<string>();
        var secret = created["api_key"]!.GetValue<string>();

        var asNewKey = await fixture.RunAsync(["keys", "ls", "--json"], new() { ["CAPSULE_API_KEY"] = secret });
        var revoked = await fixture.RunAsync(["keys", "revoke", keyId, "--json"]);
        var afterRevoke = await fixture.RunAsync(["keys", "ls"], new() { ["CAPSULE_API_KEY"] = secret });

        Assert.Equal(keyId, Assert.Single(JsonNode.Parse(asNewKey.Stdout)!.AsArray())!["id"]!.GetValue<string>());
        Assert.Equal("cli test", created["description"]!.GetValue<string>());
        Assert.Equal("revoked", JsonNode.Parse(revoked.Stdout)!["status"]!.GetValue<string>());
        Assert.Equal(2, afterRevoke.ExitCode);
        Assert.Contains("Invalid API key", afterRevoke.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysCreate_Human_PrintsOnlyTheSecretOnStdout()
    {
        var result = await fixture.RunAsync(["keys", "create", "-d", "human"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Matches("^capsule_sk_[A-Za-z0-9_-]+\n$", result.Stdout);
        Assert.Contains("shown only once", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_FileUnderHome_SuppliesUrlAndKey()
    {
        var home = Directory.CreateTempSubdirectory("capsule-cli-cfg-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(home, ".config", "capsule"));
            await File.WriteAllTextAsync(Path.Combine(home, ".config", "capsule", "config.json"),
                JsonSerializer.Serialize(new Dictionary<string, string> { ["url"] = fixture.Server.Url.ToString(), ["api_key"] = fixture.Server.AdminKey }),
                TestContext.Current.CancellationToken);

            var result = await fixture.RunAsync(["keys", "ls", "--json"], new() { ["CAPSULE_URL"] = null, ["CAPSULE_API_KEY"] = null, ["HOME"] = home });

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains(JsonNode.Parse(result.Stdout)!.AsArray(), k => k!["is_admin"]!.GetValue<bool>());
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public async Task Config_Flags_WinOverTheEnvironment()
    {
        var result = await fixture.RunAsync(
            ["keys", "ls", "--json", "--url", fixture.Server.Url.ToString(), "--api-key", fixture.Server.AdminKey],
            new() { ["CAPSULE_URL"] = "http://127.0.0.1:9", ["CAPSULE_API_KEY"] = "capsule_sk_wrong" });

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Config_NoKeyAnywhere_ExitsTwoWithAuthenticationDetail()
    {
        var result = await fixture.RunAsync(["keys", "ls"], new() { ["CAPSULE_API_KEY"] = null });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Invalid API key", result.Stderr, StringComparison.Ordinal);
    }
}
