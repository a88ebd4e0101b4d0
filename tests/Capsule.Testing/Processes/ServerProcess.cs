using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Capsule.Testing.Processes;

/// <summary>
/// The built server (<see cref="RepoPaths.ServerDll"/>) as a child process with its own data dir and a free loopback
/// port, as `make run` starts it (image dir: <see cref="RepoPaths.ImageDirectory"/>). Its output goes to server.log in
/// the data dir, which failing tests print. Disposing stops it: SIGTERM (the server destroys its VMs), then SIGKILL of
/// the process tree if it lingers.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    public const int Sigkill = 9;
    public const int Sigterm = 15;

    private static readonly TimeSpan StartPatience = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan StopPatience = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly bool _ownsDataDir;

    private ServerProcess(Process process, string dataDir, bool ownsDataDir, Uri url, StreamWriter log)
    {
        _process = process;
        DataDir = dataDir;
        _ownsDataDir = ownsDataDir;
        Url = url;
        _log = log;
    }

    public string DataDir { get; }

    /// <summary>The server's base address, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Url { get; }

    /// <summary>The key the server wrote to admin.key at first start.</summary>
    public string AdminKey { get; private set; } = "";

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string LogPath => Path.Combine(DataDir, "server.log");

    /// <summary>Starts the server and returns once /health answers and admin.key exists.</summary>
    /// <param name="dataDir">
    /// An existing data dir (a restart), left in place at dispose; null for a fresh temp one, deleted at dispose.
    /// </param>
    public static Task<ServerProcess> StartAsync(string? dataDir, CancellationToken cancellationToken) =>
        StartAsync(dataDir, environment: null, cancellationToken);

    /// <summary>Starts the server as <see cref="StartAsync(string?, CancellationToken)"/> does, with more environment.</summary>
    /// <param name="environment">Extra variables for the server, e.g. <c>["Capsule__Vm__WarmPoolSize"] = "0"</c>.</param>
    public static async Task<ServerProcess> StartAsync(
        string? dataDir, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        if (!File.Exists(RepoPaths.ServerDll))
            throw new InvalidOperationException($"The server is not built: {RepoPaths.ServerDll}");
        var ownsDataDir = dataDir is null;
        dataDir ??= Directory.CreateTempSubdirectory("capsule-server-").FullName;
        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { RepoPaths.ServerDll },
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Some tests SIGKILL the server; a killed .NET process leaves its diagnostics socket in /tmp behind.
        info.Environment["DOTNET_EnableDiagnostics"] = "0";
        info.Environment["CAPSULE_DATA_DIR"] = dataDir;
        info.Environment["CAPSULE_URL"] = url.ToString().TrimEnd('/');
        info.Environment["CAPSULE_IMAGE_DIR"] = RepoPaths.ImageDirectory;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;
        var log = new StreamWriter(Path.Combine(dataDir, "server.log"), append: true) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, e) => WriteLine(log, e.Data);
        process.ErrorDataReceived += (_, e) => WriteLine(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, dataDir, ownsDataDir, url, log);
        try
        {
            await server.WaitHealthyAsync(StartPatience, cancellationToken);
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
    public HttpClient CreateClient(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Add("X-API-Key", apiKey ?? AdminKey);
        return client;
    }

    /// <summary>
    /// Sends <paramref name="signal"/> (e.g. <see cref="Sigterm"/>, <see cref="Sigkill"/>) to the server process alone
    /// and waits, at most <paramref name="within"/>, for it to exit; false if it did not.
    /// </summary>
    public async Task<bool> SignalAndWaitAsync(int signal, TimeSpan within, CancellationToken cancellationToken)
    {
        if (!_process.HasExited)
            _ = Kill(_process.Id, signal);
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

    /// <summary>Everything the server printed so far.</summary>
    public string ReadLog()
    {
        lock (_log)
            return File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";
    }

    /// <summary>SIGTERM, then SIGKILL of the process tree if it lingers; removes the data dir if it made it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!await SignalAndWaitAsync(Sigterm, StopPatience, CancellationToken.None))
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        await _log.DisposeAsync();
        if (!_ownsDataDir)
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

    private async Task WaitHealthyAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"Server exited with {_process.ExitCode}:\n{ReadLog()}");
            try
            {
                using var response = await client.GetAsync(new Uri("/health", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK && File.Exists(Path.Combine(DataDir, "admin.key")))
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
        throw new TimeoutException($"Server not healthy within {within}:\n{ReadLog()}");
    }

    private static void WriteLine(StreamWriter log, string? line)
    {
        if (line is null)
            return;
        lock (log)
            log.WriteLine(line);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
