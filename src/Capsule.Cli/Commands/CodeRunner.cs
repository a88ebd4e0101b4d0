using Capsule.Client;

namespace Capsule.Cli.Commands;

/// <summary>Runs code in a session for <c>exec</c> and <c>run</c>: streamed live, or one JSON result under <c>--json</c>.</summary>
internal static class CodeRunner
{
    /// <returns>The guest's exit code, or 124 when the code timed out.</returns>
    public static async Task<int> RunAsync(
        CliContext context, Session session, string code, CodeLanguage language, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (context.Printer.Json)
        {
            var result = await session.ExecuteAsync(code, language, timeout, cancellationToken);
            context.Printer.WriteJson(result);
            return ExitCodes.FromGuest(result.ExitCode, result.TimedOut);
        }

        var stdout = Console.OpenStandardOutput();
        var stderr = Console.OpenStandardError();
        await using var spinner = context.Printer.StartSpinner("Running in " + session.Id);
        var spinning = true;
        await foreach (var item in session.StreamAsync(code, language, timeout, cancellationToken))
        {
            if (spinning)
            {
                await spinner.DisposeAsync();
                spinning = false;
            }
            switch (item)
            {
                case OutputChunk { Stream: OutputStream.Stdout } chunk:
                    await WriteAsync(stdout, chunk.Text, cancellationToken);
                    break;
                case OutputChunk chunk:
                    await WriteAsync(stderr, chunk.Text, cancellationToken);
                    break;
                case ExecutionExit exit:
                    if (exit.TimedOut)
                        context.Printer.Error($"timed out after {exit.ExecutionTime.TotalSeconds:0.#} s");
                    if (exit.Truncated)
                        context.Printer.Error("output truncated: past the server's per-call cap");
                    if (exit.OomKilled)
                        context.Printer.Error("the guest ran out of memory and killed a process of this call");
                    return ExitCodes.FromGuest(exit.ExitCode, exit.TimedOut);
            }
        }
        throw new InvalidOperationException("The SDK's stream ends with an exit event or throws");
    }

    private static async Task WriteAsync(Stream stream, string text, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text), cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }
}
