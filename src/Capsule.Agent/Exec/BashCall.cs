using System.Globalization;
using System.Text;
using Capsule.Agent.Native;

namespace Capsule.Agent.Exec;

/// <summary>
/// The files of one bash call, <c>call-N.*</c> in the bash state directory: the code, three fifos (stdout, stderr, and
/// the status the call's EXIT trap writes: <c>exit S</c> and the two <c>times</c> lines) and the state snapshot. The
/// agent opens the fifos' read ends (non-blocking) before it hands the call to a spare shell, so the call's opens for
/// writing never block, and reads the status until its last line. Disposing closes and deletes everything.
/// </summary>
internal sealed class BashCall : IDisposable
{
    private readonly string _prefix;
    private readonly StringBuilder _status = new();
    private readonly byte[] _buffer = new byte[256];
    private int _timesLines;

    private BashCall(long number, string prefix)
    {
        Number = number;
        _prefix = prefix;
    }

    public long Number { get; }
    public int StdoutFd { get; private set; } = -1;
    public int StderrFd { get; private set; } = -1;
    public int StatusFd { get; private set; } = -1;
    public string SnapshotPath => _prefix + ".state";

    /// <summary>The exit status its EXIT trap saw, once the trap has said.</summary>
    public int? ExitCode { get; private set; }

    /// <summary>CPU time of the call's shell and the children it waited for, from its <c>times</c>.</summary>
    public double CpuMs { get; private set; }

    /// <summary>True once the status has its last line, or its writer closed it early.</summary>
    public bool Ended { get; private set; }

    public static BashCall Create(string directory, long number, string code)
    {
        var call = new BashCall(number, Path.Join(directory, $"call-{number}"));
        try
        {
            File.WriteAllText(call._prefix + ".code", code);
            call.StdoutFd = OpenFifo(call._prefix + ".out");
            call.StderrFd = OpenFifo(call._prefix + ".err");
            call.StatusFd = OpenFifo(call._prefix + ".status");
            return call;
        }
        catch
        {
            call.Dispose();
            throw;
        }
    }

    /// <summary>Reads what the EXIT trap wrote so far; sets <see cref="Ended"/> at its last line or at end of file.</summary>
    public void ReadStatus()
    {
        while (!Ended)
        {
            var n = Fd.TryRead(StatusFd, _buffer);
            if (n == Fd.WouldBlock)
                return;
            if (n == 0)
            {
                Ended = true;
                return;
            }
            _status.Append(Encoding.ASCII.GetString(_buffer, 0, n));
            Parse();
        }
    }

    /// <summary>Consumes the complete lines: <c>exit S</c>, then the two lines of <c>times</c> (the shell's own, then its children's).</summary>
    private void Parse()
    {
        int newline;
        while ((newline = _status.ToString().IndexOf('\n', StringComparison.Ordinal)) >= 0)
        {
            var line = _status.ToString(0, newline);
            _status.Remove(0, newline + 1);
            if (ExitCode is null && line.StartsWith("exit ", StringComparison.Ordinal)
                && int.TryParse(line.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var exit))
            {
                ExitCode = exit;
            }
            else if (ExitCode is not null)
            {
                // Both lines count: the call's shell itself, then whatever it waited for, as wait4's rusage did.
                CpuMs += TimesMs(line);
                if (++_timesLines == 2)
                {
                    Ended = true;
                    return;
                }
            }
        }
    }

    /// <summary>"0m0.012s 0m0.003s" → 15.</summary>
    private static double TimesMs(string line)
    {
        var total = 0.0;
        foreach (var part in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var m = part.IndexOf('m', StringComparison.Ordinal);
            if (m <= 0 || !part.EndsWith('s')
                || !int.TryParse(part.AsSpan(0, m), NumberStyles.None, CultureInfo.InvariantCulture, out var minutes)
                || !double.TryParse(part.AsSpan(m + 1, part.Length - m - 2).ToString().Replace(',', '.'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
                continue;
            total += (minutes * 60 + seconds) * 1000;
        }
        return total;
    }

    /// <summary>
    /// Deletes the files, then closes the fifos: a late open for writing then fails (no such file) instead of
    /// waiting forever for a reader, since every open that found the path also found the agent's reader.
    /// </summary>
    public void Dispose()
    {
        foreach (var suffix in new[] { ".code", ".out", ".err", ".status", ".state" })
            File.Delete(_prefix + suffix);
        Fd.Close(StdoutFd);
        Fd.Close(StderrFd);
        Fd.Close(StatusFd);
        StdoutFd = StderrFd = StatusFd = -1;
    }

    private static int OpenFifo(string path)
    {
        File.Delete(path); // left by an agent that ran before with this state directory
        Fd.MakeFifo(path);
        return Fd.Open(path, Libc.O_RDONLY | Libc.O_NONBLOCK);
    }
}
