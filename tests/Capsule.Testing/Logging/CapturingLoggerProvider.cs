using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Capsule.Testing.Logging;

/// <summary>
/// Keeps every log entry of every category as text: the formatted message, each structured value, every active scope
/// (and its values) and the full exception, so a test can search everything a log sink could ever be given.
/// </summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<CapturedLogEntry> _entries = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<CapturedLogEntry> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = new StringBuilder();
            text.Append(formatter(state, exception));
            AppendValues(text, "state", state);
            provider._scopes.ForEachScope((scope, builder) => AppendValues(builder, "scope", scope), text);
            if (exception is not null)
                text.Append("\n  exception: ").Append(exception);
            provider._entries.Enqueue(new CapturedLogEntry(category, logLevel, eventId, text.ToString()));
        }

        private static void AppendValues(StringBuilder text, string kind, object? value)
        {
            text.Append("\n  ").Append(kind).Append(": ").Append(value);
            if (value is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (key, item) in pairs)
                    text.Append("\n    ").Append(key).Append('=').Append(Flatten(item));
            }
        }

        /// <summary>A collection's items, not its type name (a byte[] or a list would otherwise hide its content).</summary>
        private static string? Flatten(object? value) => value switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes) + " " + Convert.ToBase64String(bytes),
            string text => text,
            System.Collections.IEnumerable items => string.Join(",", items.Cast<object?>().Select(Flatten)),
            _ => value?.ToString(),
        };
    }
}

/// <summary>One captured entry; <see cref="Text"/> is everything it carried, as text.</summary>
internal sealed record CapturedLogEntry(string Category, LogLevel Level, EventId EventId, string Text);
