using System.Text.Json.Nodes;

namespace Capsule.Client.Tests.Cli;

/// <summary>
/// <c>capsule exec</c>, <c>run</c>, <c>upload</c> and <c>download</c> as real processes against a real server with
/// real VMs. Skipped, with the reason, when QEMU or the guest image is missing. Waits are bounded in minutes: a TCG
/// boot takes 5-30 s and nothing here asserts speed.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class CliVmTests(CliFixture fixture)
{
    private static readonly TimeSpan VmBound = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Exec_BashExitCode_SplitsStreamsAndExitsWithIt()
    {
        var session = await SharedSessionAsync();

        var result = await fixture.RunAsync(["exec", session, "--bash", "echo out; echo err >&2; exit 3"], within: VmBound);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Equal("out\n", result.Stdout);
        Assert.Equal("err\n", result.Stderr);
    }

    [Fact]
    public async Task Exec_PythonSystemExit_ExitsWithItsCode()
    {
        var session = await SharedSessionAsync();

        var result = await fixture.RunAsync(["exec", session, "--python", "print('bye'); raise SystemExit(5)"], within: VmBound);

        Assert.True(result.ExitCode == 5, result.ToString());
        Assert.Equal("bye\n", result.Stdout);
    }

    [Fact]
    public async Task Exec_Timeout_Exits124WithPartialOutput()
    {
        var session = await SharedSessionAsync();

        var result = await fixture.RunAsync(["exec", session, "--bash", "--timeout", "2", "echo partial; sleep 60"], within: VmBound);

        Assert.True(result.ExitCode == 124, result.ToString());
        Assert.Equal("partial\n", result.Stdout);
        Assert.Contains("timed out", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_Output_StreamsBeforeTheCodeFinishes()
    {
        var session = await SharedSessionAsync();
        var marker = "/tmp/go-" + Guid.NewGuid().ToString("N");

        await using var cli = fixture.Start(
            ["exec", session, "--bash", "--timeout", "240", $"echo first; while [ ! -e {marker} ]; do sleep 0.1; done; echo second"]);
        await cli.WaitForStdoutAsync("first\n", VmBound, TestContext.Current.CancellationToken);
        var beforeRelease = cli.Stdout;
        using (var sdk = fixture.Server.Sdk())
            await sdk.GetSession(session).UploadAsync(new MemoryStream([]), marker, TestContext.Current.CancellationToken).WaitAsync(VmBound, TestContext.Current.CancellationToken);
        var result = await cli.WaitAsync(VmBound, TestContext.Current.CancellationToken);

        Assert.Equal("first\n", beforeRelease);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("first\nsecond\n", result.Stdout);
    }

    [Fact]
    public async Task Exec_CodeFromStdin_Runs()
    {
        var session = await SharedSessionAsync();

        await using var cli = fixture.Start(["exec", session, "--python", "-f", "-"]);
        await cli.Stdin.WriteAsync("import sys\nprint(sum(range(10)))\n");
        cli.Stdin.Close();
        var result = await cli.WaitAsync(VmBound, TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("45\n", result.Stdout);
    }

    [Fact]
    public async Task Exec_Json_PrintsTheWholeResult()
    {
        var session = await SharedSessionAsync();

        var result = await fixture.RunAsync(["exec", session, "--bash", "--json", "echo hi; exit 4"], within: VmBound);

        var json = JsonNode.Parse(result.Stdout)!;
        Assert.Equal(4, result.ExitCode);
        Assert.Equal("hi\n", json["stdout"]!.GetValue<string>());
        Assert.Equal(4, json["exit_code"]!.GetValue<int>());
        Assert.False(json["timed_out"]!.GetValue<bool>());
        Assert.True(json["execution_time"]!.GetValue<double>() >= 0);
    }

    [Fact]
    public async Task UploadThenDownload_File_RoundTrips()
    {
        var session = await SharedSessionAsync();
        var local = Path.Combine(fixture.Home, "up-" + Guid.NewGuid().ToString("N") + ".txt");
        await File.WriteAllTextAsync(local, "payload line\n", TestContext.Current.CancellationToken);
        var back = local + ".back";

        var upload = await fixture.RunAsync(["upload", session, local, "/app/cli/payload.txt", "--json"], within: VmBound);
        var check = await fixture.RunAsync(["exec", session, "--bash", "cat /app/cli/payload.txt"], within: VmBound);
        var download = await fixture.RunAsync(["download", session, "/app/cli/payload.txt", back], within: VmBound);

        Assert.True(upload.ExitCode == 0, upload.ToString());
        Assert.Equal(13, JsonNode.Parse(upload.Stdout)!["size"]!.GetValue<long>());
        Assert.Equal("payload line\n", check.Stdout);
        Assert.True(download.ExitCode == 0, download.ToString());
        Assert.Equal("payload line\n", await File.ReadAllTextAsync(back, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Download_MissingFile_ExitsTwo()
    {
        var session = await SharedSessionAsync();

        var result = await fixture.RunAsync(["download", session, "/app/definitely-missing", "-"], within: VmBound);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("/app/definitely-missing", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FreshSession_ExitsWithTheGuestCodeAndKillsItsSession()
    {
        fixture.RequireVm();

        var result = await fixture.RunAsync(["run", "--bash", "--vcpu", "1", "echo from-run; exit 7"], within: VmBound);
        using var sdk = fixture.Server.Sdk();
        var sessions = await sdk.ListAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 7, result.ToString() + "\n" + fixture.Server.ReadLog());
        Assert.Equal("from-run\n", result.Stdout);
        var runSession = Assert.Single(sessions, s => s.TemplateId == "snap1" && s.Status != "created");
        Assert.Equal("killed", runSession.Status);
    }

    /// <summary>One VM for the exec tests (created on first use, its env set so it boots at once).</summary>
    private async Task<string> SharedSessionAsync()
    {
        fixture.RequireVm();
        return await fixture.SharedVmSessionAsync(VmBound);
    }
}
