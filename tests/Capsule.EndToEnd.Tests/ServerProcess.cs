using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Capsule.EndToEnd.Tests;

/// <summary>
/// The real server as a child process, with its own data dir and port, as `make run` starts it.
/// Its output goes to server.log in the data dir, which failing tests print.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private ServerProcess(Process process, string dataDir, Uri baseAddress, StreamWriter log)
    {
        _process = process;
        DataDir = dataDir;
        BaseAddress = baseAddress;
        _log = log;
    }

    public string DataDir { get; }
    public Uri BaseAddress { get; }
    public string AdminKey { get; private set; } = "";
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public string LogPath => Path.Combine(DataDir, "server.log");

    public static async Task<ServerProcess> StartAsync(string? dataDir, CancellationToken cancellationToken)
    {
        dataDir ??= Directory.CreateTempSubdirectory("capsule-e2e-").FullName;
        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { RepoPaths.ServerDll },
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["CAPSULE_DATA_DIR"] = dataDir;
        info.Environment["CAPSULE_URL"] = baseAddress.ToString().TrimEnd('/');
        info.Environment["CAPSULE_IMAGE_DIR"] = RepoPaths.ImageDirectory;
        var log = new StreamWriter(Path.Combine(dataDir, "server.log"), append: true) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, e) => WriteLine(log, e.Data);
        process.ErrorDataReceived += (_, e) => WriteLine(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, dataDir, baseAddress, log);
        await server.WaitHealthyAsync(TimeSpan.FromSeconds(120), cancellationToken);
        server.AdminKey = (await File.ReadAllTextAsync(Path.Combine(dataDir, "admin.key"), cancellationToken)).Trim();
        return server;
    }

    public HttpClient CreateClient(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Add("X-API-Key", apiKey ?? AdminKey);
        return client;
    }

    /// <summary>Sends a signal to the server process alone and waits (bounded) for it to exit.</summary>
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

    public string ReadLog() => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, 15);
            if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
                _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        await _log.DisposeAsync();
    }

    private async Task WaitHealthyAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
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
            await Task.Delay(250, cancellationToken);
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
