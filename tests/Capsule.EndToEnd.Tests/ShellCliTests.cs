using System.Diagnostics;

namespace Capsule.EndToEnd.Tests;

/// <summary>
/// <c>capsule shell</c> in a real terminal: tmux (from Debian, scripts/install-host-deps.sh) runs the CLI in a pane of
/// its own server socket; the test types with send-keys and reads the pane with capture-pane. Skipped, with the
/// reason, when tmux or the built CLI is missing.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ShellCliTests(ServerFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Shell_InTmux_RawTerminal_ResizeFollows_CtrlCReachesTheGuest_ExitStatusComesBack()
    {
        var server = fixture.RequireServer();
        if (Tmux.MissingReason() is { } missing)
            Assert.Skip(missing);
        if (!File.Exists(RepoPaths.CliDll))
            Assert.Skip($"The CLI is not built ({RepoPaths.CliDll}); run make build");
        await using var tmux = await Tmux.StartAsync(
            ["dotnet", RepoPaths.CliDll, "--url", server.Url.ToString(), "--api-key", server.AdminKey, "shell", fixture.SharedSessionId],
            cols: 100, rows: 30, Token);

        await tmux.TypeLineAsync("echo ready-$((40+2))", Token);
        await tmux.WaitForAsync("ready-42", Token);
        await tmux.TypeLineAsync("stty size", Token);
        await tmux.WaitForAsync("30 100", Token);

        await tmux.ResizeAsync(cols: 120, rows: 40, Token);
        var deadline = DateTime.UtcNow + Bound;
        while (!(await tmux.CaptureAsync(Token)).Contains("40 120", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "stty size never followed the tmux window:\n" + await tmux.CaptureAsync(Token));
            await tmux.TypeLineAsync("stty size", Token); // the SIGWINCH may land after a first stty
            await Task.Delay(TimeSpan.FromSeconds(1), Token);
        }

        await tmux.TypeLineAsync("sleep 600", Token);
        await Task.Delay(TimeSpan.FromSeconds(3), Token);
        await tmux.SendKeysAsync(["C-c"], Token);
        await tmux.TypeLineAsync("echo rc-$?", Token);
        await tmux.WaitForAsync("rc-130", Token);

        await tmux.TypeLineAsync("exit 5", Token);
        await tmux.WaitForAsync("cli-exit=5", Token);
    }

    /// <summary>One tmux server on a socket of its own, running one command in a detached session.</summary>
    private sealed class Tmux : IAsyncDisposable
    {
        private readonly string _socket = "capsule-test-" + Guid.NewGuid().ToString("N")[..12];

        public static string? MissingReason() =>
            Environment.GetEnvironmentVariable("PATH")?.Split(':').Any(dir => File.Exists(Path.Combine(dir, "tmux"))) == true
                ? null
                : "tmux is not installed (scripts/install-host-deps.sh installs it)";

        public static async Task<Tmux> StartAsync(IReadOnlyList<string> command, int cols, int rows, CancellationToken cancellationToken)
        {
            var tmux = new Tmux();
            var quoted = string.Join(' ', command.Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
            await tmux.RunAsync(["new-session", "-d", "-s", "t", "-x", cols.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-y", rows.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"{quoted}; echo cli-exit=$?; sleep 600"], cancellationToken);
            return tmux;
        }

        public Task TypeLineAsync(string text, CancellationToken cancellationToken) => SendKeysAsync(["-l", text + "\r"], cancellationToken);

        public Task SendKeysAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
            RunAsync(["send-keys", "-t", "t", .. keys], cancellationToken);

        public Task ResizeAsync(int cols, int rows, CancellationToken cancellationToken) =>
            RunAsync(["resize-window", "-t", "t", "-x", cols.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-y", rows.ToString(System.Globalization.CultureInfo.InvariantCulture)], cancellationToken);

        public Task<string> CaptureAsync(CancellationToken cancellationToken) =>
            RunAsync(["capture-pane", "-p", "-J", "-t", "t", "-S", "-500"], cancellationToken);

        public async Task WaitForAsync(string text, CancellationToken cancellationToken)
        {
            var deadline = DateTime.UtcNow + Bound;
            while (true)
            {
                var pane = await CaptureAsync(cancellationToken);
                if (pane.Contains(text, StringComparison.Ordinal))
                    return;
                Assert.True(DateTime.UtcNow < deadline, $"The pane never showed '{text}':\n{pane}");
                await Task.Delay(200, cancellationToken);
            }
        }

        private async Task<string> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
        {
            var info = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add("-L");
            info.ArgumentList.Add(_socket);
            foreach (var argument in arguments)
                info.ArgumentList.Add(argument);
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            Assert.True(process.ExitCode == 0, $"tmux {string.Join(' ', arguments)}: {await error}");
            return await output;
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await RunAsync(["kill-server"], CancellationToken.None);
            }
            catch (Exception e) when (e is InvalidOperationException or Xunit.Sdk.XunitException or TimeoutException)
            {
                // Already gone.
            }
        }
    }
}
