using System.CommandLine;
using Capsule.Client;

namespace Capsule.Cli.Commands;

/// <summary>
/// What <c>exec</c> and <c>run</c> take: code as an argument or from <c>-f FILE</c> (<c>-f -</c> reads stdin), a
/// language flag and a timeout.
/// </summary>
internal sealed class CodeInput
{
    public Argument<string?> Code { get; } = new("code")
    {
        Description = "The code to run (or use -f)",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public Option<string?> File { get; } = new("--file", "-f") { Description = "Read the code from FILE ('-' for stdin)" };

    public Option<bool> Bash { get; } = new("--bash") { Description = "Run as bash" };

    public Option<bool> Python { get; } = new("--python") { Description = "Run as Python (default: the guest decides)" };

    public Option<int?> Timeout { get; } = CommonOptions.PositiveInt("--timeout", "Kill the code after this many seconds (1-600; server default 60)");

    public void AddTo(Command command)
    {
        command.Arguments.Add(Code);
        command.Options.Add(File);
        command.Options.Add(Bash);
        command.Options.Add(Python);
        command.Options.Add(Timeout);
        command.Validators.Add(result =>
        {
            var hasCode = result.GetValue(Code) is not null;
            var hasFile = result.GetValue(File) is not null;
            if (hasCode == hasFile)
                result.AddError("Give the code as an argument or with -f FILE (one of the two)");
            if (result.GetValue(Bash) && result.GetValue(Python))
                result.AddError("--bash and --python exclude each other");
        });
    }

    public async Task<string> ReadCodeAsync(CliContext context, CancellationToken cancellationToken)
    {
        if (context.Get(Code) is { } code)
            return code;
        var path = context.Get(File)!;
        if (path == "-")
            return await Console.In.ReadToEndAsync(cancellationToken);
        try
        {
            return await System.IO.File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read {path}: {exception.Message}");
        }
    }

    public CodeLanguage Language(CliContext context) =>
        context.Get(Bash) ? CodeLanguage.Bash : context.Get(Python) ? CodeLanguage.Python : CodeLanguage.Auto;

    public TimeSpan? TimeoutValue(CliContext context) => context.Get(Timeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
}
