using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using Capsule.Agent.Protocol;
using Capsule.Vm;
using Capsule.Vm.Machines;
using Capsule.Vm.Qemu;
using Capsule.Vm.Qmp;
using Capsule.Vm.Snapshots;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capsule.Bench;

/// <summary>
/// The floor Capsule is measured against: QEMU restoring <c>snap2</c> by itself, without the server, the pool, the
/// hand-over, memory growth or env. Spawn QEMU with the snapshot's restore arguments (copy-on-write RAM, its own qcow2
/// overlay, <c>-incoming defer</c>), load the device state over QMP, <c>cont</c>, and time until the agent answers a ping.
/// </summary>
internal static class BareRestore
{
    public static async Task<Stats> MeasureAsync(string root, int runs, CancellationToken cancellationToken)
    {
        var (shape, snapshot, options) = await PrepareAsync(root, cancellationToken);
        await RestoreOnceAsync(shape, snapshot, options, cancellationToken); // warm the page cache
        var samples = new List<double>();
        for (var i = 0; i < runs; i++)
            samples.Add(await RestoreOnceAsync(shape, snapshot, options, cancellationToken));
        return Stats.Of(samples);
    }

    /// <summary><paramref name="count"/> restores started together; each one's time from the common start to its pong.</summary>
    public static async Task<Stats> BurstAsync(string root, int count, CancellationToken cancellationToken)
    {
        var (shape, snapshot, options) = await PrepareAsync(root, cancellationToken);
        // Like the API burst, whose sessions stay alive until the end: nobody is killed before every one is ready.
        var allReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var readyAt = new double[count];
        var remaining = count;
        var start = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => RestoreOnceAsync(shape, snapshot, options, cancellationToken, () =>
        {
            readyAt[i] = start.Elapsed.TotalMilliseconds;
            if (Interlocked.Decrement(ref remaining) == 0)
                allReady.TrySetResult();
            return allReady.Task;
        })));
        return Stats.Of(readyAt);
    }

    /// <summary>
    /// The staggered counterpart: restore i starts at i × <paramref name="interval"/>, whatever the earlier ones are
    /// doing; each one's time from its own spawn to its pong. Each QEMU is killed as soon as it is ready.
    /// </summary>
    public static async Task<Stats> StaggeredAsync(string root, int count, TimeSpan interval, CancellationToken cancellationToken)
    {
        var (shape, snapshot, options) = await PrepareAsync(root, cancellationToken);
        await RestoreOnceAsync(shape, snapshot, options, cancellationToken); // warm the page cache
        var samples = await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await Task.Delay(interval * i, cancellationToken);
            return await RestoreOnceAsync(shape, snapshot, options, cancellationToken);
        }));
        return Stats.Of(samples);
    }

    private static async Task<(MachineShape, Snapshot, VmOptions)> PrepareAsync(string root, CancellationToken cancellationToken)
    {
        var options = new VmOptions { ImageDirectory = Path.Combine(root, "artifacts", "guest") };
        var accelerator = new AcceleratorDetector(new HostProbe()).Detect(options.Accelerator);
        var store = new SnapshotStore(options, accelerator.Name, NullLoggerFactory.Instance);
        var snapshot = await store.EnsureAsync(2, force: false, new Progress<string>(Progress.Say), cancellationToken);
        return (MachineShape.From(options, accelerator.Name), snapshot, options);
    }

    /// <summary>One restore; returns spawn-to-pong in ms. <paramref name="onReady"/> (if any) is awaited before QEMU is killed.</summary>
    private static async Task<double> RestoreOnceAsync(
        MachineShape shape, Snapshot snapshot, VmOptions options, CancellationToken cancellationToken, Func<Task>? onReady = null)
    {
        var folderPath = Directory.CreateTempSubdirectory("cb-").FullName;
        var folder = new MachineFolder(folderPath);
        Process? qemu = null;
        try
        {
            await RunAsync(options.QemuImgBinary, ["create", "-q", "-f", "qcow2", "-b", snapshot.Files.Disk, "-F", "qcow2", folder.Disk], cancellationToken);
            var argv = shape.ForRestore(snapshot, folder).Build();
            var watch = Stopwatch.StartNew();
            var info = new ProcessStartInfo(options.QemuBinary) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var arg in argv)
                info.ArgumentList.Add(arg);
            qemu = Process.Start(info) ?? throw new InvalidOperationException("QEMU did not start");
            await using var qmp = await ConnectQmpAsync(folder.QmpSocket, cancellationToken);
            await qmp.ExecuteAsync("migrate-set-capabilities", Migration.IgnoreShared(), cancellationToken);
            await qmp.ExecuteAsync("migrate-incoming", Migration.Uri(folder.MigrationSocket), cancellationToken);
            await Migration.SendStateAsync(folder.MigrationSocket, snapshot.Files.State, cancellationToken);
            while ((await qmp.ExecuteAsync("query-status", null, cancellationToken)).GetProperty("status").GetString() == "inmigrate")
                await Task.Delay(2, cancellationToken);
            await qmp.ExecuteAsync("cont", null, cancellationToken);
            await PingUntilPongAsync(folder.AgentSocket, cancellationToken);
            var elapsed = watch.Elapsed.TotalMilliseconds;
            if (onReady is not null)
                await onReady();
            return elapsed;
        }
        finally
        {
            if (qemu is not null)
            {
                qemu.Kill();
                await qemu.WaitForExitAsync(CancellationToken.None);
                qemu.Dispose();
            }
            Directory.Delete(folderPath, recursive: true);
        }
    }

    private static async Task<QmpClient> ConnectQmpAsync(string socket, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await QmpClient.ConnectAsync(socket, "bench", NullLogger.Instance, TimeProvider.System, cancellationToken);
            }
            catch (Exception e) when (e is SocketException or FileNotFoundException or IOException)
            {
                await Task.Delay(2, cancellationToken);
            }
        }
    }

    /// <summary>The agent handshake reduced to its core: ping every 20 ms until the pong with our nonce.</summary>
    private static async Task PingUntilPongAsync(string socketPath, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        while (true)
        {
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                break;
            }
            catch (SocketException)
            {
                await Task.Delay(2, cancellationToken);
            }
        }
        await using var stream = new NetworkStream(socket);
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var ping = FrameCodec.Encode(new Frame(new AgentMessage { Kind = MessageKind.Ping, Nonce = nonce }));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pinger = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await stream.WriteAsync(ping, stop.Token);
                await Task.Delay(20, stop.Token);
            }
        }, CancellationToken.None);
        var reader = new FrameReader(stream);
        while (true)
        {
            var frame = await reader.ReadAsync(cancellationToken) ?? throw new IOException("agent socket closed");
            if (frame.Header.Kind == MessageKind.Pong && frame.Header.Nonce == nonce)
                break;
        }
        await stop.CancelAsync();
        try
        {
            await pinger;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task RunAsync(string program, string[] args, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true })
            ?? throw new InvalidOperationException($"{program} did not start");
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} failed: {await process.StandardError.ReadToEndAsync(cancellationToken)}");
    }
}
