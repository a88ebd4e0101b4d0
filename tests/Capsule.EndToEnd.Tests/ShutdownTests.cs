namespace Capsule.EndToEnd.Tests;

/// <summary>Every QEMU process dies with the server when it stops (SIGKILL: <see cref="CrashSafetyTests"/>).</summary>
public sealed class ShutdownTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stop_Sigterm_LeavesNoQemuProcessAndNoNetworkSlot()
    {
        SkipIfMissing();
        var slotsBefore = NetworkNamespaces.Slots();
        await using var server = await TestServer.StartAsync(null, Token);
        using var client = server.CreateClient();
        await Api.CreateSessionAsync(client, server.AdminKey, 600, new Dictionary<string, string> { ["A"] = "1" }, Token);
        Assert.NotEmpty(QemuProcesses.Matching(server.DataDir));
        var serversSlots = NetworkNamespaces.Slots().Except(slotsBefore).ToList();

        var exited = await server.SignalAndWaitAsync(15, TimeSpan.FromSeconds(60), Token);
        var survivors = await QemuProcesses.WaitGoneAsync(server.DataDir, TimeSpan.FromSeconds(5), Token);

        Assert.True(exited, "server did not exit after SIGTERM");
        Assert.Empty(survivors);
        Assert.Empty(NetworkNamespaces.Slots().Intersect(serversSlots));
    }

    private static void SkipIfMissing()
    {
        if (Prerequisites.MissingReason() is { } reason)
            Assert.Skip(reason);
    }
}
