using System.Text;

namespace Capsule.Vm.Qemu;

/// <summary>The last lines of a log file, for error messages.</summary>
internal static class LogTail
{
    private const int MaxBytes = 4096;

    /// <summary>Up to <paramref name="lines"/> final lines of <paramref name="path"/>, or "" if it cannot be read.</summary>
    public static string Read(string path, int lines)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var start = Math.Max(0, file.Length - MaxBytes);
            file.Seek(start, SeekOrigin.Begin);
            var buffer = new byte[file.Length - start];
            file.ReadExactly(buffer);
            var text = Encoding.UTF8.GetString(buffer).Replace("\r", "", StringComparison.Ordinal);
            var all = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
