using System.Text;
using Capsule.Server.Sessions.Runs;

namespace Capsule.Server.Executions;

/// <summary>
/// The output of a running execution so far, so that a poll sees progress before the end. Thread-safe; capped per
/// stream like the final result.
/// </summary>
internal sealed class LiveOutput(int limitChars)
{
    private readonly Lock _gate = new();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    public ValueTask AppendAsync(RunOutput chunk)
    {
        lock (_gate)
        {
            var target = chunk.Stream == RunStream.Stderr ? _stderr : _stdout;
            var room = limitChars - target.Length;
            if (room > 0)
                target.Append(chunk.Text.AsSpan(0, Math.Min(room, chunk.Text.Length)));
        }
        return ValueTask.CompletedTask;
    }

    public (string Stdout, string Stderr) Read()
    {
        lock (_gate)
            return (_stdout.ToString(), _stderr.ToString());
    }
}
