namespace Capsule.Server.Hosting;

/// <summary>Where this server keeps its state: everything lives under one data directory.</summary>
internal sealed record CapsulePaths(string DataDirectory)
{
    public string DatabaseFile => Path.Combine(DataDirectory, "capsule.db");

    /// <summary>The first admin key, written once with mode 0600.</summary>
    public string AdminKeyFile => Path.Combine(DataDirectory, "admin.key");

    /// <summary>Held exclusively while a server uses this data directory.</summary>
    public string LockFile => Path.Combine(DataDirectory, "capsule.lock");

    /// <summary>Upload parts that arrived before their fields wait here on disk; emptied at start.</summary>
    public string UploadDirectory => Path.Combine(DataDirectory, "uploads");

    /// <summary>Default run folder of the VM layer (per-machine sockets, overlays).</summary>
    public string RunDirectory => Path.Combine(DataDirectory, "run");
}
