using System.Diagnostics;
using System.Net.Sockets;
using Npgsql;

namespace Capsule.Server.Tests.Store;

/// <summary>
/// A private PostgreSQL 15 for the tests: Debian's binaries, a data directory and a unix-socket directory in one temp
/// directory, trust auth, listening on 127.0.0.1 at a free port (never the system cluster's 5432). Run as
/// <c>postgres</c> (through runuser) when the tests run as root. Stopped and deleted at dispose; if <c>pg_ctl stop</c>
/// fails, the postmaster this fixture started is killed by its pid. <see cref="SkipReason"/> says why there is none.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string BinDirectory = "/usr/lib/postgresql/15/bin";
    private const string RunUser = "/usr/sbin/runuser";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private string? _root;
    private bool _asPostgres;
    private int _postmasterPid;

    public string? SkipReason { get; private set; }

    public int Port { get; private set; }

    private string DataDirectory => Path.Combine(_root!, "data");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Path.Combine(BinDirectory, "initdb")) || !File.Exists(Path.Combine(BinDirectory, "pg_ctl")))
        {
            SkipReason = $"PostgreSQL 15 is not installed ({BinDirectory}/initdb, pg_ctl; make deps installs postgresql-15)";
            return;
        }
        _asPostgres = Environment.UserName == "root";
        if (_asPostgres && (!File.Exists(RunUser) || !await SucceedsAsync("id", ["-u", "postgres"])))
        {
            SkipReason = "running as root, but there is no postgres user or runuser to run PostgreSQL as";
            return;
        }

        _root = Directory.CreateTempSubdirectory("capsule-pg-").FullName;
        if (_asPostgres)
            await RunAsync("chown", ["postgres:postgres", _root]);
        Port = FreePort();
        await RunAsync(Path.Combine(BinDirectory, "initdb"),
            ["-D", DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"], _asPostgres);
        await RunAsync(Path.Combine(BinDirectory, "pg_ctl"),
        [
            "-D", DataDirectory, "-l", Path.Combine(_root, "postgres.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {_root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off", "start",
        ], _asPostgres);
        _postmasterPid = int.Parse(File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A connection string to the server's maintenance database (or <paramref name="database"/>).</summary>
    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = database,
    }.ConnectionString;

    /// <summary>Creates an empty database with a name of its own and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix, CancellationToken cancellationToken)
    {
        var name = $"{prefix.ToLowerInvariant()}_{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)];
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\";", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_root is null)
            return;
        NpgsqlConnection.ClearAllPools();
        try
        {
            if (_postmasterPid != 0)
                await RunAsync(Path.Combine(BinDirectory, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], _asPostgres);
        }
        catch (InvalidOperationException)
        {
            // Reported by what follows: the postmaster is killed.
        }
        finally
        {
            KillIfAlive(_postmasterPid);
            Directory.Delete(_root, recursive: true);
        }
    }

    private static void KillIfAlive(int pid)
    {
        if (pid == 0)
            return;
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> SucceedsAsync(string program, string[] arguments)
    {
        try
        {
            await RunAsync(program, arguments);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private async Task RunAsync(string program, string[] arguments, bool asPostgres) =>
        await RunAsync(asPostgres ? RunUser : program, asPostgres ? ["-u", "postgres", "--", program, .. arguments] : arguments, _root);

    private static async Task RunAsync(string program, string[] arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // postgres may not read the test's own directory (e.g. under /root).
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stdout}{await stderr}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
