using Capsule.Vm.Qemu;
using Capsule.Vm.Tests.Support;

namespace Capsule.Vm.Tests.Qemu;

/// <summary>The configured machine type must be one the installed QEMU offers; the bare alias is never used.</summary>
public sealed class QemuMachineTypesTests : IDisposable
{
    private const string Help = """
        Supported machines are:
        microvm              microvm (i386)
        pc                   Standard PC (i440FX + PIIX, 1996) (alias of pc-i440fx-7.2)
        pc-i440fx-7.2        Standard PC (i440FX + PIIX, 1996) (default)
        q35                  Standard PC (Q35 + ICH9, 2009) (alias of pc-q35-7.2)
        pc-q35-7.2           Standard PC (Q35 + ICH9, 2009)
        pc-q35-7.1           Standard PC (Q35 + ICH9, 2009)
        none                 empty machine
        """;

    private readonly TempDirectory _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Parse_HelpOutput_ListsEveryName()
    {
        var types = QemuMachineTypes.Parse(Help);

        Assert.Equal(["microvm", "none", "pc", "pc-i440fx-7.2", "pc-q35-7.1", "pc-q35-7.2", "q35"], types.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task EnsureOffered_TypeTheQemuLacks_IsStartFailedNamingWhatItOffers()
    {
        var qemu = FakeQemu(Help);

        var error = await Assert.ThrowsAsync<MachineException>(() => QemuMachineTypes.EnsureOfferedAsync(qemu, "pc-q35-10.0", Ct));

        Assert.Equal(MachineErrorCode.StartFailed, error.Code);
        Assert.Equal($"QEMU ({qemu}) does not offer the machine type pc-q35-10.0 (Capsule:Vm:MachineType); it offers pc-q35-7.1, pc-q35-7.2.", error.Message);
    }

    [Fact]
    public async Task EnsureOffered_TypeTheQemuHas_Passes()
    {
        await QemuMachineTypes.EnsureOfferedAsync(FakeQemu(Help), "pc-q35-7.1", Ct);
    }

    [Fact]
    public async Task InstalledQemu_OffersTheDefaultMachineType()
    {
        var qemu = new VmOptions().QemuBinary;
        if (!File.Exists(qemu) && !(Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, qemu))))
            Assert.Skip($"{qemu} is not installed (make deps installs it)");

        var types = await QemuMachineTypes.ListAsync(qemu, Ct);

        Assert.Contains(VmOptions.DefaultMachineType, types);
    }

    public void Dispose() => _temp.Dispose();

    private string FakeQemu(string help)
    {
        var helpFile = _temp.File("help.txt");
        File.WriteAllText(helpFile, help);
        var path = _temp.File("fake-qemu");
        File.WriteAllText(path, $"#!/bin/sh\n[ \"$1 $2\" = '-M help' ] && cat '{helpFile}' && exit 0\nexit 1\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
