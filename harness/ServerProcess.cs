using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Capsule.Harness;

/// <summary>
/// The built server as a child process of a harness (bench, soak, the test tiers): its own data directory (a fresh
/// temp one, or a given one for a restart), a free loopback port, its output in a log file. It runs in its own session
/// (<c>setsid</c>), so a Ctrl-C at the terminal reaches only the harness, which then stops it in order; and with
/// <c>setpriv --pdeathsig TERM</c>, so it stops (and destroys its VMs) even when the harness dies without cleaning up.
/// Disposing stops it: SIGTERM, then SIGKILL of the tree.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StopPatience = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly bool _ownsDataDir;

    private ServerProcess(Process process, string dataDir, bool ownsDataDir, Uri url, Uri appsUrl, string logPath, StreamWriter log)
    {
        _process = process;
        DataDir = dataDir;
        _ownsDataDir = ownsDataDir;
        Url = url;
        AppsUrl = appsUrl;
        LogPath = logPath;
        _log = log;
    }

    public string DataDir { get; }

    /// <summary>The server's base address, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Url { get; }

    /// <summary>The apps origin, where guest ports are served (a free loopback port of its own).</summary>
    public Uri AppsUrl { get; }

    public string LogPath { get; }

    /// <summary>The key the server wrote to admin.key at first start.</summary>
    public string AdminKey { get; private set; } = "";

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Leave a fresh data directory in place at dispose (e.g. to inspect leftovers).</summary>
    public bool KeepDataDir { get; set; }

    /// <summary>Starts the server and returns once /health answers and admin.key exists.</summary>
    public static async Task<ServerProcess> StartAsync(ServerSpec spec, CancellationToken cancellationToken)
    {
        if (!File.Exists(spec.ServerDll))
            throw new InvalidOperationException($"The server is not built: {spec.ServerDll}");
        var ownsDataDir = spec.DataDir is null;
        var dataDir = spec.DataDir ?? Directory.CreateTempSubdirectory(spec.DataDirPrefix).FullName;
        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        var appsUrl = new Uri($"http://127.0.0.1:{FreePort()}");
        var info = StartInfo(spec.ServerDll);
        info.WorkingDirectory = spec.Root;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        // A server that is SIGKILLed would leave its diagnostics socket in /tmp behind.
        info.Environment["DOTNET_EnableDiagnostics"] = "0";
        info.Environment["CAPSULE_DATA_DIR"] = dataDir;
        info.Environment["CAPSULE_URL"] = url.ToString().TrimEnd('/');
        info.Environment["CAPSULE_APPS_URL"] = appsUrl.ToString().TrimEnd('/');
        info.Environment["CAPSULE_IMAGE_DIR"] = spec.ImageDirectory ?? Path.Combine(spec.Root, "artifacts", "guest");
        foreach (var (key, value) in spec.Settings)
            info.Environment[key] = value;
        var logPath = spec.LogPath ?? Path.Combine(dataDir, "server.log");
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = new StreamWriter(logPath, append: !ownsDataDir) { AutoFlush = true };
        var process = await ChildSpawner.StartAsync(info);
        process.OutputDataReceived += (_, e) => WriteLine(log, e.Data);
        process.ErrorDataReceived += (_, e) => WriteLine(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, dataDir, ownsDataDir, url, appsUrl, logPath, log);
        try
        {
            await server.WaitHealthyAsync(spec.StartPatience, cancellationToken);
            server.AdminKey = (await File.ReadAllTextAsync(Path.Combine(dataDir, "admin.key"), cancellationToken)).Trim();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>A client for the server that sends <paramref name="apiKey"/> (default: the admin key) as X-API-Key.</summary>
    /// <param name="timeout">The client's timeout; 5 minutes if null.</param>
    public HttpClient CreateClient(string? apiKey = null, TimeSpan? timeout = null)
    {
        var client = new HttpClient { BaseAddress = Url, Timeout = timeout ?? TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Add("X-API-Key", apiKey ?? AdminKey);
        return client;
    }

    /// <summary>Everything the server printed so far.</summary>
    public string ReadLog()
    {
        lock (_log)
            return File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";
    }

    /// <summary>
    /// Sends <paramref name="signal"/> (<see cref="PosixSignal.Sigterm"/>, <see cref="PosixSignal.Sigkill"/>) to the
    /// server process alone and waits, at most <paramref name="within"/>, for it to exit; false if it did not.
    /// </summary>
    public async Task<bool> SignalAndWaitAsync(int signal, TimeSpan within, CancellationToken cancellationToken)
    {
        if (!_process.HasExited)
            _ = PosixSignal.Send(_process.Id, signal);
        try
        {
            await _process.WaitForExitAsync(cancellationToken).WaitAsync(within, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// SIGTERM, and waits at most <paramref name="patience"/> for the server to exit; SIGKILL of the tree after that.
    /// Idempotent. Returns whether it exited by itself, and its exit code.
    /// </summary>
    public async Task<(bool Graceful, int ExitCode)> StopAsync(TimeSpan patience)
    {
        var graceful = await SignalAndWaitAsync(PosixSignal.Sigterm, patience, CancellationToken.None);
        if (!graceful)
            KillNow();
        await _process.WaitForExitAsync();
        return (graceful, _process.ExitCode);
    }

    /// <summary>For a harness that is going down now (second Ctrl-C, process exit): SIGKILL of the tree, no waiting.</summary>
    public void KillNow()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>Stops the server (<see cref="StopAsync"/>) and removes a data directory it made, unless <see cref="KeepDataDir"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(StopPatience);
        _process.Dispose();
        lock (_log)
            _log.Dispose();
        if (!_ownsDataDir || KeepDataDir)
            return;
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // A VM folder the server is still removing; the temp dir is cleaned by the OS eventually.
        }
    }

    /// <summary><c>setsid setpriv --pdeathsig TERM -- dotnet</c> where util-linux has both; plain dotnet otherwise.</summary>
    private static ProcessStartInfo StartInfo(string serverDll)
    {
        if (!File.Exists("/usr/bin/setsid") || !File.Exists("/usr/bin/setpriv"))
            return new ProcessStartInfo("dotnet") { ArgumentList = { serverDll } };
        // Neither forks here (the harness's child is no process-group leader), so the pid stays the server's.
        return new ProcessStartInfo("/usr/bin/setsid")
        {
            ArgumentList = { "/usr/bin/setpriv", "--pdeathsig", "TERM", "--", "dotnet", serverDll },
        };
    }

    private async Task WaitHealthyAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + within;
        var keyFile = Path.Combine(DataDir, "admin.key");
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The server exited with {_process.ExitCode}:\n{LogTail()}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The server was not healthy within {within}:\n{LogTail()}");
            try
            {
                using var health = await client.GetAsync(new Uri("/health", UriKind.Relative), cancellationToken);
                if (health.StatusCode == HttpStatusCode.OK && File.Exists(keyFile))
                    return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>The log's last lines, for an error that says why the server did not come up.</summary>
    private string LogTail()
    {
        var lines = ReadLog().Split('\n');
        return string.Join('\n', lines[Math.Max(0, lines.Length - 40)..]) + $"\n(full log: {LogPath})";
    }

    private static void WriteLine(StreamWriter log, string? line)
    {
        if (line is null)
            return;
        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
