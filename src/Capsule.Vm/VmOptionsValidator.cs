using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Capsule.Vm;

/// <summary>Checks every <see cref="VmOptions"/> value at once so startup reports all mistakes together.</summary>
internal sealed partial class VmOptionsValidator : IValidateOptions<VmOptions>
{
    /// <summary>Unix socket paths are limited to 107 bytes; a machine folder adds "/vm-xxxxxxxx/agent.sock".</summary>
    public const int MaxRunDirectoryLength = 80;

    public ValidateOptionsResult Validate(string? name, VmOptions options)
    {
        var errors = new List<string>();
        RequirePath(errors, nameof(VmOptions.ImageDirectory), options.ImageDirectory);
        RequirePath(errors, nameof(VmOptions.RunDirectory), options.RunDirectory);
        RequirePath(errors, nameof(VmOptions.SnapshotDirectory), options.SnapshotDirectory);
        if (!string.IsNullOrWhiteSpace(options.RunDirectory) && Path.GetFullPath(options.RunDirectory).Length > MaxRunDirectoryLength)
            errors.Add($"{nameof(VmOptions.RunDirectory)} must be at most {MaxRunDirectoryLength} characters as a full path (unix socket paths are short).");
        if (options.SnapshotDirectory.IndexOfAny(['\'', '"', '\\', '$', '`', '\n']) >= 0)
            errors.Add($"{nameof(VmOptions.SnapshotDirectory)} must not contain quotes, backslashes, '$', '`' or newlines (it is passed to a shell by QEMU's exec: migration).");
        if (string.IsNullOrWhiteSpace(options.QemuBinary))
            errors.Add($"{nameof(VmOptions.QemuBinary)} is required.");
        if (string.IsNullOrWhiteSpace(options.QemuImgBinary))
            errors.Add($"{nameof(VmOptions.QemuImgBinary)} is required.");
        if (options.Accelerator is not ("auto" or "kvm" or "tcg"))
            errors.Add($"{nameof(VmOptions.Accelerator)} must be \"auto\", \"kvm\" or \"tcg\", not \"{options.Accelerator}\".");
        if (options.BaseMemoryMb < 64 || options.BaseMemoryMb % 2 != 0)
            errors.Add($"{nameof(VmOptions.BaseMemoryMb)} must be an even number of at least 64, not {options.BaseMemoryMb}.");
        if (options.HotplugMemoryMb < 2 || options.HotplugMemoryMb % 2 != 0)
            errors.Add($"{nameof(VmOptions.HotplugMemoryMb)} must be an even number of at least 2, not {options.HotplugMemoryMb}.");
        if (options.TcgTbSizeMb < 0)
            errors.Add($"{nameof(VmOptions.TcgTbSizeMb)} must be 0 (QEMU default) or more, not {options.TcgTbSizeMb}.");
        if (!MachineTypePattern().IsMatch(options.MachineType))
            errors.Add($"{nameof(VmOptions.MachineType)} must be a versioned q35 machine type such as {VmOptions.DefaultMachineType} (`qemu-system-x86_64 -M help` lists them), not \"{options.MachineType}\".");
        if (options.BootTimeout <= TimeSpan.Zero)
            errors.Add($"{nameof(VmOptions.BootTimeout)} must be positive, not {options.BootTimeout}.");
        if (options.RestoreTimeout <= TimeSpan.Zero)
            errors.Add($"{nameof(VmOptions.RestoreTimeout)} must be positive, not {options.RestoreTimeout}.");
        if (options.HealthProbeInterval <= TimeSpan.Zero)
            errors.Add($"{nameof(VmOptions.HealthProbeInterval)} must be positive, not {options.HealthProbeInterval}.");
        if (options.HealthProbeTimeout < TimeSpan.FromSeconds(1))
            errors.Add($"{nameof(VmOptions.HealthProbeTimeout)} must be at least 1 second (a busy guest must not be taken for a hung one), not {options.HealthProbeTimeout}.");
        if (options.FileIdleTimeout < TimeSpan.FromSeconds(1))
            errors.Add($"{nameof(VmOptions.FileIdleTimeout)} must be at least 1 second, not {options.FileIdleTimeout}.");
        if (options.MaxMachines < 1)
            errors.Add($"{nameof(VmOptions.MaxMachines)} must be at least 1, not {options.MaxMachines}.");
        if (!(options.MemoryOvercommitRatio > 0))
            errors.Add($"{nameof(VmOptions.MemoryOvercommitRatio)} must be positive, not {options.MemoryOvercommitRatio}.");
        if (options.MinHostAvailableMemoryMb < 0)
            errors.Add($"{nameof(VmOptions.MinHostAvailableMemoryMb)} must be 0 or more, not {options.MinHostAvailableMemoryMb}.");
        if (options.WarmPoolSize < 0)
            errors.Add($"{nameof(VmOptions.WarmPoolSize)} must be 0 or more, not {options.WarmPoolSize}.");
        if (options.PooledVcpuCounts.Any(v => !VmOptions.VcpuCounts.Contains(v)))
            errors.Add($"{nameof(VmOptions.WarmPoolVcpus)} must list vCPU counts out of {string.Join(", ", VmOptions.VcpuCounts)}, not \"{options.WarmPoolVcpus}\".");
        if (options.DiskQuotaMb < 1)
            errors.Add($"{nameof(VmOptions.DiskQuotaMb)} must be at least 1, not {options.DiskQuotaMb}.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void RequirePath(List<string> errors, string name, string value)
    {
        if (string.IsNullOrWhiteSpace(value))
            errors.Add($"{name} is required.");
        else if (value.Contains(',', StringComparison.Ordinal))
            errors.Add($"{name} must not contain a comma (QEMU option syntax), got \"{value}\".");
    }

    [GeneratedRegex(@"^pc-q35-[0-9]+\.[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex MachineTypePattern();
}
