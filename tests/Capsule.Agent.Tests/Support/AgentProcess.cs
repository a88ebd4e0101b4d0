using System.Diagnostics;
using System.Text;
using Capsule.Agent.Native;

namespace Capsule.Agent.Tests.Support;

/// <summary>
/// The real agent as a child process in <c>--listen</c> mode with its own state and work dirs.
/// Runs capsule-agent.dll (built next to the tests) under dotnet, or the native binary named by
/// CAPSULE_AGENT_PATH. Disposing kills it and deletes its dirs.
/// </summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private AgentProcess(Process process, string root)
    {
        _process = process;
        Root = root;
    }

    public string Root { get; }
    public string SocketPath => Path.Join(Root, "agent.sock");
    public string StateDir => Path.Join(Root, "state");
    public string WorkDir => Path.Join(Root, "work");
    public int Pid => _process.Id;

    /// <summary>The agent's exit code once it has exited (128 + signal when a signal killed it), else null.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Waits up to <paramref name="limit"/> for the agent to exit; returns its exit code, or null if it is still running.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan limit)
    {
        await TestTimeouts.EventuallyAsync(() => _process.HasExited, limit);
        return ExitCode;
    }

    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    /// <summary>Skips the calling test when the machine lacks what the agent runs.</summary>
    public static void SkipUnlessRunnable()
    {
        if (!File.Exists("/bin/bash"))
            Assert.Skip("/bin/bash is missing.");
        if (!new[] { "/usr/local/bin/python3", "/usr/bin/python3", "/bin/python3" }.Any(File.Exists))
            Assert.Skip("python3 is missing from /usr/local/bin, /usr/bin and /bin.");
    }

    /// <param name="asInit">
    /// Run the agent as PID 1 of a new pid namespace (<c>unshare --pid --fork --mount-proc</c>, needs
    /// root), as it runs in the guest; the test is skipped where that is not possible.
    /// </param>
    /// <param name="onTerminal">Give the agent a pseudo-terminal as stdio (<c>script</c>), like the guest console.</param>
    /// <param name="environment">Extra environment variables for the agent (e.g. runtime knobs that mimic a small guest).</param>
    public static async Task<AgentProcess> StartAsync(bool asInit = false, bool onTerminal = false,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        SkipUnlessRunnable();
        if (asInit && !CanUnshare.Value)
            Assert.Skip($"Running the agent as PID 1 needs root and a working {Unshare} (new pid and mount namespaces).");
        if (onTerminal && !File.Exists(Script))
            Assert.Skip($"Running the agent on a terminal needs {Script}.");
        var root = Path.Join(Path.GetTempPath(), "capsule-agent-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        var info = StartInfo(asInit, onTerminal,
            ["--listen", Path.Join(root, "agent.sock"), "--state-dir", Path.Join(root, "state"), "--workdir", Path.Join(root, "work"), "--verbose"]);
        info.RedirectStandardInput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardOutput = true;
        info.UseShellExecute = false;
        // The tests kill agents; a killed .NET process leaves its diagnostics socket in /tmp behind. The guest agent
        // (NativeAOT) has no diagnostics server, so this changes nothing under test.
        info.Environment["DOTNET_EnableDiagnostics"] = "0";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException("The agent did not start.");
        var agent = new AgentProcess(process, root);
        process.ErrorDataReceived += (_, e) => agent.Append(e.Data);
        process.OutputDataReceived += (_, e) => agent.Append(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var ready = await TestTimeouts.EventuallyAsync(() => File.Exists(agent.SocketPath) || process.HasExited, TestTimeouts.Start);
        if (!ready || process.HasExited)
        {
            await agent.DisposeAsync();
            throw new InvalidOperationException($"The agent did not open its socket.\n{agent.Log}");
        }
        return agent;
    }

    public Task<AgentClient> ConnectAsync() => AgentClient.ConnectAsync(SocketPath);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                // The whole tree is collected before anything dies: under script/unshare the agent is a
                // grandchild that would be re-parented (and missed) once its parent is gone.
                ProcessTree.Kill(_process.Id, includeRoot: true, sessionId: null);
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        finally
        {
            // Shown with the test's output, which the runner prints when the test fails.
            TestContext.Current.TestOutputHelper?.WriteLine($"agent log:\n{Log}");
            _process.Dispose();
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
                // A child that still writes there is killed with the agent; leftovers in /tmp are harmless.
            }
        }
    }

    private const string Unshare = "/usr/bin/unshare";

    private static readonly Lazy<bool> CanUnshare = new(() =>
    {
        if (!File.Exists(Unshare) || Environment.UserName != "root")
            return false;
        using var probe = Process.Start(new ProcessStartInfo(Unshare, ["--pid", "--fork", "--mount-proc", "true"]) { RedirectStandardError = true });
        return probe is not null && probe.WaitForExit(TimeSpan.FromSeconds(30)) && probe.ExitCode == 0;
    });
    private const string Script = "/usr/bin/script";

    private static ProcessStartInfo StartInfo(bool asInit, bool onTerminal, IEnumerable<string> agentArgs)
    {
        var command = new List<string>();
        if (asInit)
            command.AddRange([Unshare, "--pid", "--fork", "--mount-proc"]);
        if (Environment.GetEnvironmentVariable("CAPSULE_AGENT_PATH") is { Length: > 0 } native)
            command.Add(native);
        else
            command.AddRange(["dotnet", Path.Join(AppContext.BaseDirectory, "capsule-agent.dll")]);
        command.AddRange(agentArgs);
        if (onTerminal)
            command = [Script, "--quiet", "--flush", "--return", "--command", string.Join(' ', command.Select(ShellQuote)), "/dev/null"];
        var info = new ProcessStartInfo(command[0]);
        foreach (var arg in command.Skip(1))
            info.ArgumentList.Add(arg);
        return info;
    }

    private static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_log)
            _log.AppendLine(line);
    }
}
