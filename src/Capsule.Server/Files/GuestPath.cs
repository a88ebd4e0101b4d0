using Capsule.Server.Api.Errors;

namespace Capsule.Server.Files;

/// <summary>
/// Rules for paths inside the guest: no NUL; a relative path is taken from <see cref="WorkDirectory"/>, the guest's
/// working folder (as InstaVM's SDK does: <c>download_file("output.json")</c>); a trailing <c>/</c> on an upload means
/// "into this folder".
/// </summary>
internal static class GuestPath
{
    /// <summary>The folder relative paths start from: the guest's working folder, where bash and python start.</summary>
    public const string WorkDirectory = "/app";

    /// <summary>The path to write an upload to, or a 400 that says what is wrong.</summary>
    /// <param name="remotePath">As the client sent it.</param>
    /// <param name="fileName">The file part's own name (a client's local path), used when <paramref name="remotePath"/> ends with <c>/</c>.</param>
    public static string ForUpload(string remotePath, string? fileName)
    {
        remotePath = Resolve(remotePath, "remote_path");
        if (!remotePath.EndsWith('/'))
            return remotePath;
        var name = Path.GetFileName((fileName ?? "").Replace('\\', '/'));
        if (name.Length == 0 || name is "." or ".." || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new CapsuleException(ErrorCode.InvalidArgument,
                "remote_path ends with '/' (a folder) but the file part has no usable file name; give the full path");
        }
        return remotePath + name;
    }

    public static string ForDownload(string filename) => Resolve(filename, "filename");

    /// <summary>The folder holding <paramref name="path"/> (<c>/</c> for a file at the root).</summary>
    public static string ParentOf(string path)
    {
        var trimmed = path.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        return slash <= 0 ? "/" : trimmed[..slash];
    }

    /// <summary>The absolute guest path for <paramref name="path"/>, or a 400 that says what is wrong with it.</summary>
    private static string Resolve(string path, string field)
    {
        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new CapsuleException(ErrorCode.InvalidArgument,
                $"{field} must be a path inside the VM (e.g. /app/data.csv or data.csv), not '{path.Replace("\0", "\\0", StringComparison.Ordinal)}'");
        }
        return path.StartsWith('/') ? path : $"{WorkDirectory}/{path}";
    }
}
