using System.CommandLine;

namespace Capsule.Cli.Commands;

/// <summary>Options and arguments more than one command uses, and their parsing.</summary>
internal static class CommonOptions
{
    public static Argument<string> SessionArgument() => new("session") { Description = "Session id" };

    /// <summary>A repeatable <c>--name K=V</c> option; a value without <c>=</c> is a parse error.</summary>
    public static Option<string[]> Pairs(string name, string description)
    {
        var option = new Option<string[]>(name)
        {
            Description = description + " (K=V, repeatable)",
            AllowMultipleArgumentsPerToken = false,
            DefaultValueFactory = _ => [],
        };
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (token.Value.IndexOf('=', StringComparison.Ordinal) <= 0)
                    result.AddError($"{name} expects KEY=VALUE, got '{token.Value}'");
            }
        });
        return option;
    }

    /// <summary>Turns <c>K=V</c> tokens into a dictionary (the last value of a repeated key wins); null when none.</summary>
    public static Dictionary<string, string>? ToDictionary(string[]? pairs)
    {
        if (pairs is null || pairs.Length == 0)
            return null;
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var split = pair.IndexOf('=', StringComparison.Ordinal);
            result[pair[..split]] = pair[(split + 1)..];
        }
        return result;
    }

    public static Option<int?> PositiveInt(string name, string description)
    {
        var option = new Option<int?>(name) { Description = description };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is <= 0)
                result.AddError($"{name} must be a positive number");
        });
        return option;
    }
}
