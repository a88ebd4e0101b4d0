using Spectre.Console;

namespace Capsule.Cli.Output;

/// <summary>A transient spinner line on stderr, running until disposed.</summary>
internal sealed class Spinner : IAsyncDisposable
{
    public static readonly Spinner None = new(null, null);

    private readonly TaskCompletionSource? _stop;
    private readonly Task? _running;

    private Spinner(TaskCompletionSource? stop, Task? running)
    {
        _stop = stop;
        _running = running;
    }

    public static Spinner Start(IAnsiConsole console, string message)
    {
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = console.Status()
            .Spinner(Spectre.Console.Spinner.Known.Dots)
            .StartAsync(Markup.Escape(message), _ => stop.Task);
        return new Spinner(stop, running);
    }

    /// <summary>Stops and erases the spinner; safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop is null || _running is null)
            return;
        _stop.TrySetResult();
        await _running;
    }
}
