namespace Capsule.Soak;

/// <summary>One execute and the only answer that counts as right: this stdout (trimmed) and this exit code.</summary>
/// <param name="ExpectedStderr">The stderr (trimmed) it must give; null for "anything".</param>
/// <param name="Increments">The code bumps the session's python counter, so the worker's expected value moves on.</param>
internal sealed record ExecWork(
    OpKind Kind, string Language, string Code, string ExpectedStdout, int ExpectedExitCode = 0, string? ExpectedStderr = null,
    bool Increments = false)
{
    /// <summary>Null when <paramref name="stdout"/>, <paramref name="stderr"/> and the exit code are right; else what is wrong.</summary>
    public string? Mismatch(string stdout, string stderr, int? exitCode, bool timedOut, double executionSeconds)
    {
        if (timedOut)
            return $"timed_out after {executionSeconds:F1} s, exit code {exitCode}, stdout {Quote(stdout)}, stderr {Quote(stderr)}";
        if (stdout.Trim() != ExpectedStdout)
            return $"stdout {Quote(stdout)}, expected {Quote(ExpectedStdout)}";
        if (exitCode != ExpectedExitCode)
            return $"exit code {exitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}, expected {ExpectedExitCode} (stderr {Quote(stderr)})";
        if (ExpectedStderr is not null && stderr.Trim() != ExpectedStderr)
            return $"stderr {Quote(stderr)}, expected {Quote(ExpectedStderr)}";
        return null;
    }

    private static string Quote(string text) => "\"" + SoakApi.Quote(text, 200) + "\"";
}
