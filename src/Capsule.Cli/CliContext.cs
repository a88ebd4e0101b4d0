using System.CommandLine;
using Capsule.Cli.Config;
using Capsule.Cli.Output;
using Capsule.Client;

namespace Capsule.Cli;

/// <summary>What a command's action works with: its parsed arguments, a client for the resolved server, a printer.</summary>
internal sealed class CliContext : IDisposable
{
    private readonly Lazy<CapsuleClient> _client;

    private CliContext(ParseResult parseResult)
    {
        ParseResult = parseResult;
        Printer = new Printer(parseResult.GetValue(GlobalOptions.Json));
        _client = new Lazy<CapsuleClient>(() =>
        {
            var settings = CliSettings.Resolve(
                parseResult.GetValue(GlobalOptions.Url), parseResult.GetValue(GlobalOptions.ApiKey), Environment.GetEnvironmentVariable);
            return new CapsuleClient(new CapsuleClientOptions { BaseUrl = settings.Url, ApiKey = settings.ApiKey });
        });
    }

    public ParseResult ParseResult { get; }

    public Printer Printer { get; }

    public CapsuleClient Client => _client.Value;

    public T? Get<T>(Option<T> option) => ParseResult.GetValue(option);

    public T? Get<T>(Argument<T> argument) => ParseResult.GetValue(argument);

    public void Dispose()
    {
        if (_client.IsValueCreated)
            _client.Value.Dispose();
    }

    /// <summary>
    /// Sets <paramref name="action"/> as the command's action, translating the failures a user can meet into a
    /// message on stderr and an exit code: API and transport errors exit <see cref="ExitCodes.ApiError"/>.
    /// </summary>
    public static void SetAction(Command command, Func<CliContext, CancellationToken, Task<int>> action)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var context = new CliContext(parseResult);
            try
            {
                return await action(context, cancellationToken);
            }
            catch (CapsuleApiException exception)
            {
                context.Printer.Error(exception);
                return ExitCodes.ApiError;
            }
            catch (CliException exception)
            {
                context.Printer.Error(exception.Message);
                return exception.ExitCode;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                context.Printer.Error("interrupted");
                return ExitCodes.Interrupted;
            }
        });
    }
}
