namespace Capsule.EndToEnd.Tests;

/// <summary>
/// One real server for the lifecycle tests, and one session with env whose VM the
/// python/bash tests share (TCG boots are slow; the behaviour under test allows sharing).
/// When QEMU or the image is missing, <see cref="SkipReason"/> says why and nothing starts.
/// Where this machine can build one, the server's guests live on a test internet (harness/TestInternet.cs): its DNS
/// server is the server's upstream, its range the only private range opened, and the default policy denies everything,
/// so no test sends a packet off this machine.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    internal ServerProcess? Server { get; private set; }
    internal string? SkipReason { get; private set; }
    internal string SharedSessionId { get; private set; } = "";

    /// <summary>The test internet the server's guests reach, or null (<see cref="InternetSkipReason"/> says why).</summary>
    internal TestInternet? Internet { get; private set; }

    internal string? InternetSkipReason { get; private set; }

    public async ValueTask InitializeAsync()
    {
        SkipReason = Prerequisites.MissingReason();
        if (SkipReason is not null)
            return;
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        InternetSkipReason = TestInternet.MissingReason();
        var settings = new Dictionary<string, string>
        {
            ["Capsule__Network__DefaultEgress__AllowPackageManagers"] = "false",
        };
        if (InternetSkipReason is null)
        {
            Internet = await TestInternet.StartAsync(cts.Token);
            settings["Capsule__Network__UpstreamDns__0"] = Internet.DnsAddress;
            settings["Capsule__Network__AllowedPrivateCidrs__0"] = Internet.Range;
        }
        Server = await TestServer.StartAsync(null, cts.Token, settings);
        using var client = Server.CreateClient();
        SharedSessionId = await Api.CreateSessionAsync(
            client, Server.AdminKey, 3600, new Dictionary<string, string> { ["FOO"] = "bar-42", ["GREETING"] = "hello world" }, cts.Token);
    }

    internal ServerProcess RequireServer()
    {
        if (SkipReason is not null)
            Assert.Skip(SkipReason);
        return Server!;
    }

    /// <summary>The server and its test internet, or a skip with the reason one of them is missing.</summary>
    internal (ServerProcess Server, TestInternet Internet) RequireInternet()
    {
        var server = RequireServer();
        if (Internet is null)
            Assert.Skip(InternetSkipReason ?? "no test internet");
        return (server, Internet);
    }

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
            await Server.DisposeAsync();
        if (Internet is not null)
            await Internet.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "real server";
}
