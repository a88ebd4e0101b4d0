namespace Capsule.EndToEnd.Tests;

/// <summary>
/// The one test that leaves this machine: with the shipped default policy (package managers allowed), apt in a guest
/// fetches one small package from Debian's archive. It runs its own server on the host's real resolver and skips, with
/// the reason, when this host cannot reach the archive.
/// </summary>
public sealed class PackageManagerTests
{
    private const string Archive = "deb.debian.org";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DefaultPolicy_LetsAptDownloadFromDebiansArchive()
    {
        if (Prerequisites.MissingReason() is { } missing)
            Assert.Skip(missing);
        if (TestInternet.MissingReason() is { } noNetwork)
            Assert.Skip(noNetwork);
        if (await ArchiveUnreachableAsync() is { } unreachable)
            Assert.Skip(unreachable);
        await using var server = await TestServer.StartAsync(null, Token, new Dictionary<string, string> { ["Capsule__Vm__WarmPoolSize"] = "0" });
        using var client = server.CreateClient();
        var session = await Api.CreateSessionAsync(client, server.AdminKey, 900, null, Token);

        var result = await Api.ExecuteAsync(client, session,
            "cd /tmp && apt-get update -qq -o Acquire::Retries=1 >/dev/null 2>&1; echo \"update $?\"\n"
            + "apt-get download -qq hello >/dev/null 2>&1; echo \"download $?\"\n"
            + "dpkg-deb --field hello_*.deb Package\n"
            + "curl -s -m 20 -o /dev/null http://example.com/ || echo \"other $?\"\n",
            "bash", Token, timeoutSeconds: 600);

        var lines = result["stdout"]!.GetValue<string>().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // The archive is allowed by default; any other site is not.
        Assert.Equal(["update 0", "download 0", "hello", "other 6"], lines);
    }

    private static async Task<string?> ArchiveUnreachableAsync() =>
        await TcpProbe.FailureAsync(Archive, 80, TimeSpan.FromSeconds(10), Token) is { } failure
            ? $"this host cannot reach {Archive}:80 ({failure}), so the live package-manager check is skipped"
            : null;
}
