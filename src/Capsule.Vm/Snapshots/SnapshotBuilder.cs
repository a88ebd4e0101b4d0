using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Capsule.Vm.Machines;
using Capsule.Vm.Qemu;
using Microsoft.Extensions.Logging;

namespace Capsule.Vm.Snapshots;

/// <summary>
/// Builds one snapshot into a temp folder next to its final place, then renames it there:
/// 1. a kernel stub and a qcow2 disk over the image's rootfs.ext4;
/// 2. a cold boot with base RAM in the snapshot's RAM file (<c>share=on</c>) until the agent answers;
/// 3. warm-up execs: python imports what first executions use (leaving no names behind), bash runs once;
/// 4. the device state is saved (<see cref="QemuMachine.SaveSnapshotAsync"/>) and QEMU quits;
/// 5. RAM file and disk are made read-only, meta.json is written last, the folder is renamed into place.
/// The caller holds the snapshot's lock.
/// </summary>
internal sealed class SnapshotBuilder(VmOptions options, ILoggerFactory loggerFactory)
{
    private static readonly TimeSpan WarmUpTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Python modules a first execution commonly needs, imported once so restored sessions find them loaded.
    /// Not <c>random</c>: its state would be shared by every restore.</summary>
    private const string PythonWarmUp = """
        import collections, functools, itertools, json, os, pathlib, sys, time, typing
        print("capsule warm-up", sys.version.split()[0])
        del collections, functools, itertools, json, os, pathlib, sys, time, typing
        """;

    /// <summary>Boots a snapshot build tries before it fails (see <see cref="BuildWithRetryAsync"/>).</summary>
    private const int BootAttempts = 2;

    private const string BashWarmUp = "cd /app && ls -a >/dev/null && echo capsule warm-up";

    public async Task<Snapshot> BuildAsync(SnapshotContext context, int vcpuCount, IProgress<string> progress, CancellationToken cancellationToken)
    {
        var name = SnapshotFiles.FolderName(vcpuCount);
        var total = Stopwatch.StartNew();
        var files = new SnapshotFiles(Path.Combine(context.KeyDirectory, $".build-{name}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}"));
        Directory.CreateDirectory(files.Path);
        try
        {
            var agentReady = await BuildWithRetryAsync(context, vcpuCount, files, progress, cancellationToken).ConfigureAwait(false);
            foreach (var file in new[] { files.Ram, files.Disk, files.State, files.KernelStub })
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            var meta = new SnapshotMeta
            {
                Key = context.Key,
                ImageKey = context.ImageKey,
                VcpuCount = vcpuCount,
                BaseMemoryMb = context.Shape.BaseMemoryMb,
                HotplugMemoryMb = context.Shape.HotplugMemoryMb,
                Accelerator = context.Shape.Accelerator,
                TcgTbSizeMb = context.Shape.TcgTbSizeMb,
                QemuVersion = context.QemuVersion,
                KernelCommandLine = QemuCommandLine.KernelCommandLine,
                CreatedAt = DateTimeOffset.UtcNow,
                BuildSeconds = Math.Round(total.Elapsed.TotalSeconds, 2),
                AgentReadySeconds = Math.Round(agentReady.TotalSeconds, 2),
                RamFileBytes = SparseFile.AllocatedBytes(files.Ram),
                StateBytes = new FileInfo(files.State).Length,
                DiskBytes = new FileInfo(files.Disk).Length,
            };
            await File.WriteAllBytesAsync(files.Meta, JsonSerializer.SerializeToUtf8Bytes(meta, SnapshotJsonContext.Default.SnapshotMeta), cancellationToken)
                .ConfigureAwait(false);
            var final = context.Files(vcpuCount);
            ReplaceFolder(files.Path, final.Path);
            progress.Report($"{name}: done in {total.Elapsed.TotalSeconds:0.0} s: RAM file {Megabytes(meta.RamFileBytes)} MB used, "
                + $"state {Megabytes(meta.StateBytes)} MB, disk {Megabytes(meta.DiskBytes)} MB ({final.Path})");
            return new Snapshot(final, meta);
        }
        finally
        {
            if (Directory.Exists(files.Path))
                Directory.Delete(files.Path, recursive: true);
        }
    }

    /// <summary>
    /// Boots, warms and saves, and once more in a clean folder if the first boot failed to start. A boot of a
    /// many-vCPU machine under TCG on a small host has hung before its agent came up, with nothing on the console,
    /// once in about 50 boots; a second boot has always worked, and failing `make snapshots` (and so `make test`)
    /// over it helps nobody. The failure is reported with its reason either way.
    /// </summary>
    private async Task<TimeSpan> BuildWithRetryAsync(SnapshotContext context, int vcpuCount, SnapshotFiles files, IProgress<string> progress, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            WriteKernelStub(context.Image.Kernel, files.KernelStub);
            try
            {
                return await BootWarmAndSaveAsync(context, vcpuCount, files, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (MachineException e) when (e.Code == MachineErrorCode.StartFailed && attempt < BootAttempts)
            {
                progress.Report($"{SnapshotFiles.FolderName(vcpuCount)}: attempt {attempt} failed, booting again: {e.Message}"
                    + (e.HostDetail is { Length: > 0 } detail ? $"\n{detail}" : ""));
                Directory.Delete(files.Path, recursive: true);
                Directory.CreateDirectory(files.Path);
            }
        }
    }

    private async Task<TimeSpan> BootWarmAndSaveAsync(SnapshotContext context, int vcpuCount, SnapshotFiles files, IProgress<string> progress, CancellationToken cancellationToken)
    {
        var name = SnapshotFiles.FolderName(vcpuCount);
        var machineId = $"vm-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        var folder = new MachineFolder(Path.Combine(Path.GetFullPath(options.RunDirectory), machineId));
        var machine = new QemuMachine(machineId, folder, vcpuCount, context.Shape.BaseMemoryMb, loggerFactory, TimeProvider.System, static _ => { });
        await using (machine.ConfigureAwait(false))
        {
            try
            {
                var stopwatch = Stopwatch.StartNew();
                progress.Report($"{name}: booting ({vcpuCount} vCPU, {context.Shape.BaseMemoryMb} MB, {context.Shape.Accelerator}) from image {Short(context.ImageKey)}");
                await machine.BootAsync(new MachineBoot
                {
                    QemuBinary = options.QemuBinary,
                    QemuImgBinary = options.QemuImgBinary,
                    CommandLine = context.Shape.ForBuild(vcpuCount, context.Image, files, folder),
                    DiskBacking = context.Image.RootDisk,
                    Timeout = options.BootTimeout,
                }, cancellationToken).ConfigureAwait(false);
                var agentReady = stopwatch.Elapsed;
                progress.Report($"{name}: agent ready after {agentReady.TotalSeconds:0.0} s");

                stopwatch.Restart();
                await WarmUpAsync(machine, ExecLanguageKind.Python, PythonWarmUp, cancellationToken).ConfigureAwait(false);
                await WarmUpAsync(machine, ExecLanguageKind.Bash, BashWarmUp, cancellationToken).ConfigureAwait(false);
                progress.Report($"{name}: warmed up in {stopwatch.Elapsed.TotalSeconds:0.0} s");

                stopwatch.Restart();
                await machine.SaveSnapshotAsync(files.State, cancellationToken).ConfigureAwait(false);
                progress.Report($"{name}: saved in {stopwatch.Elapsed.TotalSeconds:0.00} s");
                return agentReady;
            }
            finally
            {
                SaveConsole(machine, files.ConsoleLog);
            }
        }
    }

    private static void WriteKernelStub(string kernel, string stub)
    {
        try
        {
            KernelStub.Write(kernel, stub);
        }
        catch (InvalidDataException e)
        {
            throw new MachineException(MachineErrorCode.ImageMissing, $"The guest image is unusable: {e.Message}", e);
        }
    }

    private static async Task WarmUpAsync(QemuMachine machine, ExecLanguageKind language, string code, CancellationToken cancellationToken)
    {
        var request = new ExecRequest { Language = language, Code = code, Timeout = WarmUpTimeout };
        var result = await machine.ExecAsync(request, null, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0 || result.TimedOut || !result.Stdout.StartsWith("capsule warm-up", StringComparison.Ordinal))
        {
            throw new MachineException(MachineErrorCode.StartFailed,
                $"The {language} warm-up in machine {machine.MachineId} failed (exit code {result.ExitCode}, timed out: {result.TimedOut}): {result.Stderr.Trim()}");
        }
    }

    /// <summary>Renames <paramref name="source"/> to <paramref name="target"/>, moving an existing target aside and deleting it.</summary>
    private static void ReplaceFolder(string source, string target)
    {
        if (Directory.Exists(target))
        {
            var old = Path.Combine(Path.GetDirectoryName(target)!, $".old-{Path.GetFileName(target)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
            Directory.Move(target, old);
            Directory.Delete(old, recursive: true);
        }
        Directory.Move(source, target);
    }

    /// <summary>Writes the tail of the build's console next to the snapshot, for diagnosis.</summary>
    private static void SaveConsole(QemuMachine machine, string target)
    {
        try
        {
            if (Directory.Exists(Path.GetDirectoryName(target)))
                File.WriteAllText(target, machine.ConsoleTail(int.MaxValue) + "\n");
        }
        catch (IOException)
        {
            // Only a diagnostic copy.
        }
    }

    private static string Short(string key) => key.Length > 12 ? key[..12] : key;

    private static string Megabytes(long bytes) => (bytes / (1024.0 * 1024)).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
}
