namespace Capsule.Agent.Exec;

/// <summary>
/// The shell state that carries over from one bash exec to the next: exported variables and the
/// working directory, kept as one file of bash (<c>__capsule_cwd=...</c>, <c>declare -x</c> lines,
/// <see cref="BashScript.EndMarker"/>). Each exec's shell sources it at start and writes a snapshot at exit; the
/// agent renames the snapshot over the state file only when the agent did not kill the exec and the snapshot is
/// complete, so a killed or timed-out exec leaves the previous state as it was. Functions, shell variables, options
/// and traps are not kept. <c>set_env</c> values that arrive while an exec runs are re-applied on top of that exec's
/// snapshot.
/// </summary>
internal sealed class BashState
{
    private readonly object _gate = new();
    private readonly List<(long Generation, string Line)> _updates = [];
    private long _generation;

    public BashState(string stateDirectory, string workDir, IEnumerable<KeyValuePair<string, string>> baseEnv)
    {
        Directory = Path.Join(stateDirectory, "bash");
        System.IO.Directory.CreateDirectory(Directory);
        StatePath = Path.Join(Directory, "env");
        var lines = new List<string> { "__capsule_cwd=" + BashScript.Quote(workDir) };
        lines.AddRange(baseEnv.Select(kv => DeclareLine(kv.Key, kv.Value)));
        lines.Add(BashScript.EndMarker);
        WriteAtomically(StatePath, lines);
    }

    public string StatePath { get; }

    /// <summary>Where the state file and the calls' files (<see cref="BashCall"/>) live.</summary>
    public string Directory { get; }

    public long Generation
    {
        get
        {
            lock (_gate)
                return _generation;
        }
    }

    public void Apply(IEnumerable<KeyValuePair<string, string>> env)
    {
        lock (_gate)
        {
            _generation++;
            var added = env.Select(kv => DeclareLine(kv.Key, kv.Value)).ToList();
            foreach (var line in added)
                _updates.Add((_generation, line));
            WriteAtomically(StatePath, [.. File.ReadAllLines(StatePath), .. added]);
        }
    }

    /// <summary>Makes the snapshot the new state if <paramref name="keep"/> and it is complete; deletes it either way.</summary>
    public void Commit(string snapshotPath, long startGeneration, bool keep)
    {
        lock (_gate)
        {
            if (keep && IsComplete(snapshotPath))
            {
                var late = _updates.Where(u => u.Generation > startGeneration).Select(u => u.Line).ToList();
                if (late.Count > 0)
                    File.AppendAllLines(snapshotPath, late);
                File.Move(snapshotPath, StatePath, overwrite: true);
                return;
            }
        }
        File.Delete(snapshotPath);
    }

    private static bool IsComplete(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            var tail = new byte[BashScript.EndMarker.Length + 1];
            if (file.Length < tail.Length)
                return false;
            file.Seek(-tail.Length, SeekOrigin.End);
            file.ReadExactly(tail);
            return System.Text.Encoding.ASCII.GetString(tail) == BashScript.EndMarker + "\n";
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }

    private static string DeclareLine(string name, string value) => $"declare -x {name}={BashScript.Quote(value)}";

    private static void WriteAtomically(string path, IEnumerable<string> lines)
    {
        var temp = path + ".tmp";
        File.WriteAllLines(temp, lines);
        File.Move(temp, path, overwrite: true);
    }
}
