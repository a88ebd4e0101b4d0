namespace Capsule.Agent.Python;

/// <summary>How to start the interpreter: the python3 found on the base PATH and the extracted kernel script.</summary>
internal sealed record KernelLaunch(string PythonPath, string KernelPath, string WorkDir)
{
    public const string ResourceName = "kernel.py";

    /// <summary>Writes the embedded kernel script to the state directory; null when there is no python3.</summary>
    public static KernelLaunch? Prepare(string stateDir, string workDir, string path)
    {
        var python = path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Join(dir, "python3"))
            .FirstOrDefault(File.Exists);
        if (python is null)
            return null;
        var kernelPath = Path.Join(stateDir, ResourceName);
        using (var resource = typeof(KernelLaunch).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException("The kernel script is not embedded in the agent."))
        using (var file = File.Create(kernelPath))
        {
            resource.CopyTo(file);
        }
        return new KernelLaunch(python, kernelPath, workDir);
    }

    public IReadOnlyList<string> Argv => ["python3", "-u", "-X", "utf8", KernelPath];
}
