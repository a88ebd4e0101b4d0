using System.Globalization;
using System.Text.Json;
using Capsule.Client;
using Spectre.Console;

namespace Capsule.Cli.Output;

/// <summary>
/// Everything a command shows. Results go to stdout (JSON under <c>--json</c>, else text); errors and progress go
/// to stderr. Tables and spinners are drawn only on a terminal; piped output is plain text.
/// </summary>
internal sealed class Printer(bool json)
{
    private readonly Lazy<IAnsiConsole> _stdout = new(() => AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) }));
    // Progress is drawn only when stderr is a terminal; Spectre's own detection looks at stdout, which may be piped
    // (S=$(capsule create ...)), and would then print the spinner's text as a plain line that is never erased.
    private readonly Lazy<IAnsiConsole> _stderr = new(() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Error),
        Ansi = AnsiSupport.Yes,
        Interactive = InteractionSupport.Yes,
    }));

    public bool Json { get; } = json;

    /// <summary>Spinners only for a person watching a terminal, never in JSON mode or piped output.</summary>
    public bool CanShowProgress => !Json && !Console.IsErrorRedirected;

    public void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, CliJsonContext.Print<T>()));

    public static void Line(string text) => Console.Out.WriteLine(text);

    /// <summary>Label/value lines, labels aligned.</summary>
    public static void Fields(params (string Label, string? Value)[] fields)
    {
        var width = fields.Max(f => f.Label.Length) + 1;
        foreach (var (label, value) in fields)
            Console.Out.WriteLine((label + ":").PadRight(width + 1) + (value ?? "-"));
    }

    /// <summary>A table on a terminal; tab-separated lines (header first) when piped.</summary>
    public void Table(string[] headers, IEnumerable<string?[]> rows)
    {
        if (Console.IsOutputRedirected)
        {
            Console.Out.WriteLine(string.Join('\t', headers));
            foreach (var row in rows)
                Console.Out.WriteLine(string.Join('\t', row.Select(cell => cell ?? "-")));
            return;
        }
        var table = new Table().Border(TableBorder.Simple);
        foreach (var header in headers)
            table.AddColumn(new TableColumn(header).NoWrap());
        foreach (var row in rows)
            table.AddRow(row.Select(cell => Markup.Escape(cell ?? "-")).ToArray());
        _stdout.Value.Write(table);
    }

    public void Error(string message, int? statusCode = null)
    {
        if (Json)
            Console.Error.WriteLine(JsonSerializer.Serialize(new ErrorOutput(message, statusCode), CliJsonContext.Print<ErrorOutput>()));
        else
            Console.Error.WriteLine("capsule: " + message);
    }

    public void Error(CapsuleApiException exception) =>
        Error(exception.StatusCode is { } status ? exception.Message : exception.Detail, exception.StatusCode is { } code ? (int)code : null);

    /// <summary>Shows a spinner on stderr until the returned handle is disposed (nothing when progress is off).</summary>
    public Spinner StartSpinner(string message) => CanShowProgress ? Spinner.Start(_stderr.Value, message) : Spinner.None;

    public static string Time(DateTimeOffset? time) =>
        time?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-";

    public static string Seconds(TimeSpan? duration) =>
        duration is { } value ? value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s" : "-";

    public static string Pairs(IReadOnlyDictionary<string, string> pairs) =>
        pairs.Count == 0 ? "-" : string.Join(",", pairs.Select(p => p.Key + "=" + p.Value));
}
