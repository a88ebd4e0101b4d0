using System.Diagnostics;
using System.Globalization;
using Capsule.Vm;
using Capsule.Vm.Qemu;
using Capsule.Vm.Snapshots;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Capsule.Snapshots;

/// <summary>
/// The on-demand snapshot command. <c>build</c> makes sure <c>snap{N}</c> exists for the current image, QEMU and
/// machine shape (the same key the server computes), printing progress; <c>list</c> shows every snapshot on disk.
/// Exit codes: 0 done, 1 failed (no QEMU, no image, a build failed), 2 bad usage.
/// </summary>
internal static class SnapshotCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        var commandLine = CommandLine.Parse(args, out var usageError);
        if (commandLine is null)
        {
            await errors.WriteLineAsync($"error: {usageError}\n{CommandLine.Usage}").ConfigureAwait(false);
            return 2;
        }
        var options = new VmOptions();
        new ConfigurationBuilder().AddEnvironmentVariables().Build().GetSection(VmOptions.SectionName).Bind(options);
        var validation = new VmOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            await errors.WriteLineAsync($"error: invalid configuration: {validation.FailureMessage}").ConfigureAwait(false);
            return 1;
        }
        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        var accelerator = new AcceleratorDetector(new HostProbe()).Detect(options.Accelerator);
        using var store = new SnapshotStore(options, accelerator.Name, loggerFactory);
        try
        {
            return commandLine.Verb == "list"
                ? await ListAsync(store, output, cancellationToken).ConfigureAwait(false)
                : await BuildAsync(store, commandLine, accelerator, output, cancellationToken).ConfigureAwait(false);
        }
        catch (MachineException e)
        {
            await errors.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            if (e.HostDetail is { Length: > 0 } detail)
                await errors.WriteLineAsync(detail).ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task<int> BuildAsync(SnapshotStore store, CommandLine commandLine, AcceleratorInfo accelerator, TextWriter output, CancellationToken cancellationToken)
    {
        var context = await store.GetContextAsync(cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"snapshots for key {Short(context.Key)} in {context.KeyDirectory}").ConfigureAwait(false);
        await output.WriteLineAsync($"  image {Short(context.ImageKey)}, {context.QemuVersion}, {accelerator.Name} ({accelerator.Reason})").ConfigureAwait(false);
        var progress = new WriterProgress(output);
        var total = Stopwatch.StartNew();
        foreach (var vcpuCount in commandLine.VcpuCounts)
        {
            if (!commandLine.Force && SnapshotStore.TryLoad(context, vcpuCount) is { } existing)
            {
                await output.WriteLineAsync($"snap{vcpuCount}: up to date (built {existing.Meta.CreatedAt:yyyy-MM-dd HH:mm:ss}Z in {existing.Meta.BuildSeconds:0.0} s)")
                    .ConfigureAwait(false);
                continue;
            }
            await store.EnsureAsync(vcpuCount, commandLine.Force, progress, cancellationToken).ConfigureAwait(false);
        }
        await output.WriteLineAsync($"snapshots ready in {total.Elapsed.TotalSeconds:0.0} s").ConfigureAwait(false);
        return 0;
    }

    private static async Task<int> ListAsync(SnapshotStore store, TextWriter output, CancellationToken cancellationToken)
    {
        string? current = null;
        try
        {
            current = (await store.GetContextAsync(cancellationToken).ConfigureAwait(false)).Key;
        }
        catch (MachineException e)
        {
            await output.WriteLineAsync($"(the current key cannot be computed: {e.Message})").ConfigureAwait(false);
        }
        var snapshots = store.List();
        if (snapshots.Count == 0)
        {
            await output.WriteLineAsync($"no snapshots in {store.Directory}").ConfigureAwait(false);
            return 0;
        }
        foreach (var snapshot in snapshots)
        {
            var meta = snapshot.Meta;
            var state = meta.Key == current ? "current" : "stale";
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{Short(meta.Key)} snap{meta.VcpuCount} {state,-7} {meta.CreatedAt:yyyy-MM-dd HH:mm}Z build {meta.BuildSeconds:0.0} s, "
                + $"RAM file {meta.RamFileBytes / 1048576.0:0.0} MB, state {meta.StateBytes / 1048576.0:0.0} MB, disk {meta.DiskBytes / 1048576.0:0.0} MB "
                + $"({meta.Accelerator}, tb {meta.TcgTbSizeMb} MB) {snapshot.Files.Path}")).ConfigureAwait(false);
        }
        return 0;
    }

    private static string Short(string key) => key.Length > 16 ? key[..16] : key;

    /// <summary>Prints each progress line as it happens, with the time of day.</summary>
    private sealed class WriterProgress(TextWriter output) : IProgress<string>
    {
        public void Report(string value) => output.WriteLine($"[{DateTime.Now:HH:mm:ss}] {value}");
    }
}
