using System.Runtime.InteropServices;

namespace Capsule.Vm.Snapshots;

/// <summary>How much of a sparse file holds data (SEEK_DATA / SEEK_HOLE), which is what it costs on tmpfs.</summary>
internal static partial class SparseFile
{
    private const int SeekData = 3;
    private const int SeekHole = 4;

    /// <summary>Bytes in data extents; the file's length if the file system cannot tell.</summary>
    public static long AllocatedBytes(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = RandomAccess.GetLength(handle);
        var fd = (int)handle.DangerousGetHandle();
        long total = 0;
        long offset = 0;
        while (offset < length)
        {
            var data = Seek(fd, offset, SeekData);
            if (data < 0)
                return Marshal.GetLastPInvokeError() == 6 /* ENXIO: no data after offset */ ? total : length;
            var hole = Seek(fd, data, SeekHole);
            if (hole < 0)
                return length;
            total += hole - data;
            offset = hole;
        }
        return total;
    }

    [DllImport("libc", EntryPoint = "lseek", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern long Seek(int fd, long offset, int whence);
}
