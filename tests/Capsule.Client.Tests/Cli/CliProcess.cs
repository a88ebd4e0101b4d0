using System.Diagnostics;
using System.Text;

namespace Capsule.Client.Tests.Cli;

/// <summary>
/// Runs the built <c>capsule</c> as a real process with piped stdin/stdout/stderr and a controlled environment:
/// no inherited CAPSULE_* variables and a private HOME, so only what a test passes configures it.
/// </summary>
internal sealed class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();
    private Task _pumps = Task.CompletedTask;

    private CliProcess(Process process)
    {
        _process = process;
    }

    public string Stdout
    {
        get
        {
            lock (_gate)
                return _stdout.ToString();
        }
    }

    public string Stderr
    {
        get
        {
            lock (_gate)
                return _stderr.ToString();
        }
    }

    public static CliProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string?> environment, string home)
    {
        if (!File.Exists(RepoPaths.CliDll))
            throw new InvalidOperationException($"The CLI is not built: {RepoPaths.CliDll}");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = home,
        };
        info.ArgumentList.Add(RepoPaths.CliDll);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var name in new[] { "CAPSULE_URL", "CAPSULE_API_KEY", "XDG_CONFIG_HOME" })
            info.Environment.Remove(name);
        info.Environment["HOME"] = home;
        foreach (var (name, value) in environment)
            info.Environment[name] = value;

        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var cli = new CliProcess(process);
        cli._pumps = Task.WhenAll(cli.PumpAsync(process.StandardOutput, cli._stdout), cli.PumpAsync(process.StandardError, cli._stderr));
        return cli;
    }

    public StreamWriter Stdin => _process.StandardInput;

    /// <summary>Waits for the exit; kills the process tree if it does not come within <paramref name="within"/>.</summary>
    public async Task<CliResult> WaitAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken).WaitAsync(within, cancellationToken);
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"capsule did not exit within {within}.\nstdout: {Stdout}\nstderr: {Stderr}");
        }
        await _process.WaitForExitAsync(CancellationToken.None);
        // The exit can be seen before the last output is read: the result has all of it.
        await _pumps.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        return new CliResult(_process.ExitCode, Stdout, Stderr);
    }

    /// <summary>Waits until stdout contains <paramref name="text"/> (bounded).</summary>
    public async Task WaitForStdoutAsync(string text, TimeSpan within, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + within;
        while (!Stdout.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited && !Stdout.Contains(text, StringComparison.Ordinal))
                throw new InvalidOperationException($"capsule exited before printing '{text}'.\nstdout: {Stdout}\nstderr: {Stderr}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"capsule did not print '{text}' within {within}.\nstdout: {Stdout}\nstderr: {Stderr}");
            await Task.Delay(50, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }
        _process.Dispose();
    }

    private async Task PumpAsync(StreamReader reader, StringBuilder into)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (_gate)
                into.Append(buffer, 0, read);
        }
    }
}

internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}
