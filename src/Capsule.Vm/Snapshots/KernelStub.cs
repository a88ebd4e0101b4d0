namespace Capsule.Vm.Snapshots;

/// <summary>
/// A restored guest is already running, but QEMU still loads <c>-kernel</c> into memory for its firmware config: for
/// the 14 MB Debian kernel that is 14 MB of host memory per machine. The stub is the bzImage's real-mode header and
/// setup code plus one page, enough for QEMU to accept it. The migrated state does not depend on the kernel's size
/// (the linuxboot option ROM is the same), so restores use the stub.
/// </summary>
internal static class KernelStub
{
    private const int SetupSectorsOffset = 0x1f1;
    private const int HeaderMagicOffset = 0x202;
    private const int SectorBytes = 512;
    private const int PayloadBytes = 4096;

    /// <summary>Writes the stub of <paramref name="kernel"/> to <paramref name="stub"/>; throws <see cref="InvalidDataException"/> if it is not a bzImage.</summary>
    public static void Write(string kernel, string stub)
    {
        var header = new byte[HeaderMagicOffset + 4];
        using (var source = File.OpenRead(kernel))
        {
            if (source.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length
                || !header.AsSpan(HeaderMagicOffset, 4).SequenceEqual("HdrS"u8))
                throw new InvalidDataException($"{kernel} is not a bzImage (no HdrS header).");
            var setupSectors = header[SetupSectorsOffset] == 0 ? 4 : header[SetupSectorsOffset];
            var length = (int)Math.Min(source.Length, (setupSectors + 1) * SectorBytes + PayloadBytes);
            var bytes = new byte[length];
            source.Position = 0;
            source.ReadExactly(bytes);
            File.WriteAllBytes(stub, bytes);
        }
    }
}
