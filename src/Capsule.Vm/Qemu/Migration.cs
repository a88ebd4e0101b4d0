using System.Text.Json.Nodes;

namespace Capsule.Vm.Qemu;

/// <summary>Pieces of the QMP migration commands that save and restore snapshots.</summary>
internal static class Migration
{
    /// <summary>
    /// <c>x-ignore-shared</c>: RAM blocks mapped shared (the snapshot's RAM file at save time) are left out of the stream.
    /// A restore maps the same file privately; no pages arrive for it, so it keeps the file's content copy-on-write.
    /// </summary>
    public static JsonObject IgnoreShared() => new()
    {
        ["capabilities"] = new JsonArray(new JsonObject { ["capability"] = "x-ignore-shared", ["state"] = true }),
    };

    /// <summary>Quotes a path for the shell QEMU runs <c>exec:</c> URIs with (QEMU 7.2 has no <c>file:</c> URI).</summary>
    public static string ShellQuote(string path) => "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
