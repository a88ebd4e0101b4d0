using System.Diagnostics;
using System.Net.Sockets;

namespace Capsule.Client.Tests.Cli;

/// <summary>
/// The built server as a child process with its own data dir and port, as `make run` starts it (image dir: the repo's
/// artifacts/guest). Its output goes to server.log in the data dir, which failing tests print.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private ServerProcess(Process process, string dataDir, Uri url, StreamWriter log)
    {
        _process = process;
        DataDir = dataDir;
        Url = url;
        _log = log;
    }

    public string DataDir { get; }

    public Uri Url { get; }

    public string AdminKey { get; private set; } = "";

    public string LogPath => Path.Combine(DataDir, "server.log");

    public static async Task<ServerProcess> StartAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(RepoPaths.ServerDll))
            throw new InvalidOperationException($"The server is not built: {RepoPaths.ServerDll}");
        var dataDir = Directory.CreateTempSubdirectory("capsule-cli-").FullName;
        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { RepoPaths.ServerDll },
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["CAPSULE_DATA_DIR"] = dataDir;
        info.Environment["CAPSULE_URL"] = url.ToString().TrimEnd('/');
        info.Environment["CAPSULE_IMAGE_DIR"] = RepoPaths.ImageDirectory;
        var log = new StreamWriter(Path.Combine(dataDir, "server.log"), append: true) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, e) => WriteLine(log, e.Data);
        process.ErrorDataReceived += (_, e) => WriteLine(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, dataDir, url, log);
        try
        {
            await server.WaitHealthyAsync(TimeSpan.FromMinutes(2), cancellationToken);
            server.AdminKey = (await File.ReadAllTextAsync(Path.Combine(dataDir, "admin.key"), cancellationToken)).Trim();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    public CapsuleClient Sdk(string? apiKey = null) =>
        new(new CapsuleClientOptions { BaseUrl = Url, ApiKey = apiKey ?? AdminKey });

    public string ReadLog()
    {
        lock (_log)
            return File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";
    }

    /// <summary>SIGTERM (the server destroys its VMs), then SIGKILL if it lingers; removes the data dir.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await term.WaitForExitAsync();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(60)))
                _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        await _log.DisposeAsync();
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
        using var client = new CapsuleClient(new CapsuleClientOptions { BaseUrl = Url, MaxRetries = 0 });
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"Server exited with {_process.ExitCode}:\n{ReadLog()}");
            try
            {
                await client.GetHealthAsync(cancellationToken);
                if (File.Exists(Path.Combine(DataDir, "admin.key")))
                    return;
            }
            catch (CapsuleConnectionException)
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
}
