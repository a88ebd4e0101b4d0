namespace Capsule.EndToEnd.Tests;

/// <summary>
/// One real server for the lifecycle tests, and one session with env whose VM the
/// python/bash tests share (TCG boots are slow; the behaviour under test allows sharing).
/// When QEMU or the image is missing, <see cref="SkipReason"/> says why and nothing starts.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    internal ServerProcess? Server { get; private set; }
    internal string? SkipReason { get; private set; }
    internal string SharedSessionId { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        SkipReason = Prerequisites.MissingReason();
        if (SkipReason is not null)
            return;
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        Server = await TestServer.StartAsync(null, cts.Token);
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

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
            await Server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "real server";
}
