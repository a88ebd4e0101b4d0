namespace Capsule.Harness;

/// <summary>The checkout a harness runs from: the nearest parent of its binary that holds Capsule.slnx.</summary>
internal static class RepoRoot
{
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Capsule.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Capsule.slnx not found");
    }
}
