namespace Capsule.Agent.Tests.Agent;

/// <summary>Whether a pid is a live process (a zombie waiting to be reaped counts as gone).</summary>
internal static class ProcessCheck
{
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is not ("Z" or "X");
        }
        catch (IOException)
        {
            return false;
        }
    }

    public static int FirstPid(string stdout) =>
        int.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0].Trim(), System.Globalization.CultureInfo.InvariantCulture);
}
