namespace Capsule.Client.Tests.Cli;

/// <summary>
/// One real server process for every CLI test (VM boots under TCG are slow: share them), a private HOME for config
/// files, and a runner for the CLI. Whether VM tests can run is decided once, with the reason printed when not.
/// </summary>
public sealed class CliFixture : IAsyncLifetime
{
    internal ServerProcess Server { get; private set; } = null!;

    internal string Home { get; } = Directory.CreateTempSubdirectory("capsule-cli-home-").FullName;

    internal string? VmSkipReason { get; } = Prerequisites.MissingReason();

    public async ValueTask InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        Server = await TestServer.StartAsync(null, cts.Token);
    }

    /// <summary>Runs <c>capsule args...</c> against the server with the admin key (unless <paramref name="environment"/> says otherwise).</summary>
    internal async Task<CliResult> RunAsync(string[] args, Dictionary<string, string?>? environment = null, TimeSpan? within = null)
    {
        await using var cli = Start(args, environment);
        return await cli.WaitAsync(within ?? TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
    }

    internal CliProcess Start(string[] args, Dictionary<string, string?>? environment = null)
    {
        var env = new Dictionary<string, string?>
        {
            ["CAPSULE_URL"] = Server.Url.ToString(),
            ["CAPSULE_API_KEY"] = Server.AdminKey,
        };
        foreach (var (name, value) in environment ?? [])
            env[name] = value;
        return CliProcess.Start(args, env, Home);
    }

    private readonly SemaphoreSlim _sharedGate = new(1, 1);
    private string? _sharedSession;

    /// <summary>A session whose VM the exec tests share, created (and booted) by the CLI on first use.</summary>
    internal async Task<string> SharedVmSessionAsync(TimeSpan within)
    {
        await _sharedGate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (_sharedSession is null)
            {
                var created = await RunAsync(["create", "--lifetime", "3600", "--env", "CAPSULE_CLI_TEST=1"], within: within);
                Assert.True(created.ExitCode == 0, created + "\n" + Server.ReadLog());
                _sharedSession = created.Stdout.Trim();
            }
            return _sharedSession;
        }
        finally
        {
            _sharedGate.Release();
        }
    }

    internal void RequireVm()
    {
        if (VmSkipReason is not null)
            Assert.Skip(VmSkipReason);
    }

    public async ValueTask DisposeAsync()
    {
        _sharedGate.Dispose();
        if (Server is not null)
            await Server.DisposeAsync();
        Directory.Delete(Home, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class CliCollection : ICollectionFixture<CliFixture>
{
    public const string Name = "capsule CLI against a real server";
}
