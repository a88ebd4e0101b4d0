namespace Capsule.Vm.Qemu;

/// <summary>The few host facts the accelerator decision reads; a seam so tests can describe any host.</summary>
internal interface IHostProbe
{
    bool PathExists(string path);

    /// <summary>The file's text, or null if it cannot be read.</summary>
    string? ReadText(string path);

    /// <summary>True if the device or file can be opened for reading and writing by this process.</summary>
    bool CanOpenReadWrite(string path);
}
