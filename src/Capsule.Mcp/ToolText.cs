using System.Globalization;
using System.Text;
using ModelContextProtocol.Protocol;

namespace Capsule.Mcp;

/// <summary>How tool results read: plain text for a model, one sentence first when something went wrong.</summary>
internal static class ToolText
{
    /// <summary>Per stream, the most characters of output a result carries (the end is kept: it holds the error).</summary>
    public const int MaxStreamChars = 50_000;

    public static CallToolResult Ok(string text) => new() { Content = [new TextContentBlock { Text = text }] };

    public static CallToolResult Error(string sentence) => new() { Content = [new TextContentBlock { Text = sentence }], IsError = true };

    /// <summary>
    /// A run's result: stdout, stderr and the exit code. A timeout, a non-zero exit or an OOM kill is an error
    /// result whose first line says so, with the output so far.
    /// </summary>
    public static CallToolResult Run(string sandboxId, CodeRequest request, CodeOutcome outcome, string? note)
    {
        var text = new StringBuilder();
        string? problem = outcome switch
        {
            { TimedOut: true } => $"The code timed out after {request.TimeoutSeconds} s and was killed; the output so far is below.",
            { OomKilled: true } => "The code was killed because the sandbox ran out of memory; the output so far is below.",
            { ExitCode: not 0 } => $"The code exited with code {outcome.ExitCode}.",
            _ => null,
        };
        if (problem is not null)
            text.AppendLine(problem);
        if (note is not null)
            text.AppendLine(note);
        text.AppendLine(CultureInfo.InvariantCulture, $"exit_code: {outcome.ExitCode}");
        text.AppendLine(CultureInfo.InvariantCulture, $"session_id: {sandboxId}");
        AppendStream(text, "stdout", outcome.Stdout);
        AppendStream(text, "stderr", outcome.Stderr);
        if (outcome.Truncated)
            text.AppendLine("(the sandbox dropped output past its per-run limit)");
        return new CallToolResult { Content = [new TextContentBlock { Text = text.ToString() }], IsError = problem is not null };
    }

    public static string Describe(SandboxView view, string? ownSandboxId)
    {
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"{view.Id}  status={view.Status}");
        if (view.VcpuCount is { } vcpu)
            line.Append(CultureInfo.InvariantCulture, $"  vcpu={vcpu}");
        if (view.MemoryMb is { } memory)
            line.Append(CultureInfo.InvariantCulture, $"  memory_mb={memory}");
        if (view.LifetimeSeconds is { } lifetime)
            line.Append(CultureInfo.InvariantCulture, $"  lifetime_s={lifetime}");
        if (view.ExpiresAt is { } expires)
            line.Append(CultureInfo.InvariantCulture, $"  expires_at={expires.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}");
        if (view.Metadata.Count > 0)
            line.Append("  metadata=").AppendJoin(',', view.Metadata.Select(p => $"{p.Key}={p.Value}"));
        if (string.Equals(view.Id, ownSandboxId, StringComparison.Ordinal))
            line.Append("  (this connection's sandbox)");
        return line.ToString();
    }

    /// <summary>Why a VM ended, for a sentence: "its lifetime ran out", "it was killed", ...</summary>
    public static string DescribeEnd(string status) => status switch
    {
        "expired" => "its lifetime ran out",
        "killed" => "it was killed",
        "crashed" => "its VM crashed",
        "oom" => "its VM ran out of memory",
        "host_restart" or "host_lost" => "the Capsule server restarted",
        "gone" => "it no longer exists",
        _ => status,
    };

    private static void AppendStream(StringBuilder text, string name, string output)
    {
        text.Append("--- ").Append(name).AppendLine(" ---");
        if (output.Length == 0)
        {
            text.AppendLine("(empty)");
            return;
        }
        if (output.Length > MaxStreamChars)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"[... {output.Length - MaxStreamChars} earlier characters not shown ...]");
            output = output[^MaxStreamChars..];
        }
        text.Append(output);
        if (!output.EndsWith('\n'))
            text.AppendLine();
    }
}
