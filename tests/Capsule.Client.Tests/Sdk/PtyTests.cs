using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Capsule.Client.Tests.Sdk;

/// <summary>The SDK's PTY calls against the in-process server on real Kestrel (WebSockets need real sockets), with its fake terminal.</summary>
public sealed class PtyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static (CapsuleApp App, CapsuleClient Sdk) Start()
    {
        var app = new CapsuleApp();
        app.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new CapsuleClient(new Uri(address), app.AdminKey));
    }

    [Fact]
    public async Task CreateAttach_BytesBothWays_ExitCodeAndState()
    {
        var (app, sdk) = Start();
        await using var _ = app;
        using var __ = sdk;
        var session = await sdk.CreateSessionAsync(cancellationToken: Ct);

        var pty = await session.CreatePtyAsync(new PtyOptions { Cols = 100, Rows = 30 }, Ct);
        await using var connection = await session.AttachPtyAsync(pty.PtyId, Ct);
        await connection.ResizeAsync(120, 40, Ct);
        await connection.WriteAsync("hello\rexit 4\r"u8.ToArray(), Ct);
        var screen = new StringBuilder();
        var buffer = new byte[1024];
        int n;
        while ((n = await connection.ReadAsync(buffer, Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct)) > 0)
            screen.Append(Encoding.UTF8.GetString(buffer, 0, n));
        var after = await session.GetPtyAsync(pty.PtyId, Ct);

        Assert.True(pty.IsRunning);
        Assert.Equal((100, 30), (pty.Cols, pty.Rows));
        Assert.Contains("hello", screen.ToString(), StringComparison.Ordinal);
        Assert.Equal(4, connection.ExitCode);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, connection.CloseStatus);
        Assert.False(after.IsRunning);
        Assert.Equal(4, after.ExitCode);
        Assert.Equal((120, 40), app.Machines.Last.Ptys[0].Sizes[^1]);
        Assert.Equal(pty.PtyId, Assert.Single(await session.ListPtysAsync(Ct)).PtyId);
    }

    [Fact]
    public async Task Errors_AreTyped()
    {
        var (app, sdk) = Start();
        await using var _ = app;
        using var __ = sdk;
        var session = await sdk.CreateSessionAsync(cancellationToken: Ct);

        var invalid = await Assert.ThrowsAsync<ValidationException>(() => session.CreatePtyAsync(new PtyOptions { Shell = "/usr/bin/python3" }, Ct));
        var missing = await Assert.ThrowsAsync<NotFoundException>(() => session.AttachPtyAsync("pty-0000000000000000", Ct));
        var pty = await session.CreatePtyAsync(cancellationToken: Ct);
        var deleted = await session.DeletePtyAsync(pty.PtyId, Ct);
        var second = await session.CreatePtyAsync(cancellationToken: Ct);
        var token = await session.CreatePtyTokenAsync(second.PtyId, Ct);

        Assert.Equal("shell", invalid.Errors.Single().Location[^1]);
        Assert.Equal("PTY not found", missing.Detail);
        Assert.Equal(137, deleted.ExitCode);
        Assert.NotEmpty(token.Token);
        Assert.Contains("?token=", token.AttachUrl, StringComparison.Ordinal);
    }
}
