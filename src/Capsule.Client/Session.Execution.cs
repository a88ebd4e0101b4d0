using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Capsule.Client.Http;
using Capsule.Client.Wire;

namespace Capsule.Client;

public sealed partial class Session
{
    /// <summary>Runs code and waits for it to finish. The first execution boots the VM.</summary>
    /// <param name="code">Python or bash source.</param>
    /// <param name="language">How to run it; <see cref="CodeLanguage.Auto"/> lets the guest decide.</param>
    /// <param name="timeout">Kill the code after this long (1 s to 10 min; sent in whole seconds); null for the server's 60 s.</param>
    /// <param name="cancellationToken">Cancels the call (the server then stops the execution).</param>
    /// <returns>Output, exit code and times; a failing program is a result, not an exception.</returns>
    /// <exception cref="SessionNotFoundException">The session does not exist for this key.</exception>
    public async Task<ExecutionResult> ExecuteAsync(
        string code, CodeLanguage language = CodeLanguage.Auto, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var reply = await Transport.SendJsonAsync(CommandCall("execute", code, language, timeout), ClientJsonContext.Default.ExecuteReply, cancellationToken)
            .ConfigureAwait(false);
        return reply.ToResult();
    }

    /// <summary>
    /// Runs code and yields its output as the guest produces it, then one <see cref="ExecutionExit"/>.
    /// Stopping the enumeration early (or cancelling) disconnects, which stops the execution in the guest.
    /// </summary>
    /// <param name="code">Python or bash source.</param>
    /// <param name="language">How to run it; <see cref="CodeLanguage.Auto"/> lets the guest decide.</param>
    /// <param name="timeout">Kill the code after this long; null for the server's 60 s.</param>
    /// <param name="cancellationToken">Cancels the stream and the execution.</param>
    /// <exception cref="CapsuleApiException">The server reported an error during the execution, or the stream broke off before its end.</exception>
    public async IAsyncEnumerable<ExecutionEvent> StreamAsync(
        string code, CodeLanguage language = CodeLanguage.Auto, TimeSpan? timeout = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var call = CommandCall("v1/execute/stream", code, language, timeout) with { Accept = "text/event-stream" };
        using var response = await Transport.SendAsync(call, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var _ = body.ConfigureAwait(false);

        var parser = SseParser.Create(body);
        await foreach (var item in ReadEventsAsync(parser, cancellationToken).ConfigureAwait(false))
        {
            switch (item.EventType)
            {
                case "stdout":
                    yield return new OutputChunk(OutputStream.Stdout, Parse(item, ClientJsonContext.Default.StreamText).Text ?? "");
                    break;
                case "stderr":
                    yield return new OutputChunk(OutputStream.Stderr, Parse(item, ClientJsonContext.Default.StreamText).Text ?? "");
                    break;
                case "exit":
                    yield return Parse(item, ClientJsonContext.Default.StreamExit).ToExit();
                    yield break;
                case "error":
                    throw new CapsuleApiException(null, Parse(item, ClientJsonContext.Default.StreamError).Detail ?? "The execution failed");
                default:
                    // Unknown events (e.g. keep-alives) are for newer clients.
                    break;
            }
        }
        throw new CapsuleConnectionException(
            $"The output stream of session {Id} ended before the execution's exit event", new EndOfStreamException());
    }

    /// <summary>Starts code in the background; read it with <see cref="CapsuleClient.GetExecutionAsync"/>.</summary>
    /// <param name="code">Python or bash source.</param>
    /// <param name="language">How to run it; <see cref="CodeLanguage.Auto"/> lets the guest decide.</param>
    /// <param name="timeout">Kill the code after this long; null for the server's 60 s.</param>
    /// <param name="cancellationToken">Cancels the submission (not the execution once accepted).</param>
    public async Task<QueuedExecution> ExecuteAsyncTask(
        string code, CodeLanguage language = CodeLanguage.Auto, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var reply = await Transport.SendJsonAsync(CommandCall("execute_async", code, language, timeout), ClientJsonContext.Default.QueuedReply, cancellationToken)
            .ConfigureAwait(false);
        return reply.ToQueued(Id);
    }

    private ApiCall CommandCall(string path, string code, CodeLanguage language, TimeSpan? timeout)
    {
        ArgumentNullException.ThrowIfNull(code);
        var body = new CommandBody(code, Id, WireValues.Language(language), timeout is { } t ? WireValues.WholeSeconds(t) : null);
        return new ApiCall(HttpMethod.Post, path)
        {
            SessionId = Id,
            Content = () => JsonContent.Create(body, ClientJsonContext.Default.CommandBody),
        };
    }

    /// <summary>Server-sent events; a connection that drops mid-stream is a <see cref="CapsuleConnectionException"/>.</summary>
    private async IAsyncEnumerable<SseItem<string>> ReadEventsAsync(
        SseParser<string> parser, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var items = parser.EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using var _ = items.ConfigureAwait(false);
        while (true)
        {
            bool more;
            try
            {
                more = await items.MoveNextAsync().ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException)
            {
                throw new CapsuleConnectionException($"The output stream of session {Id} broke off: {exception.Message}", exception);
            }
            if (!more)
                yield break;
            yield return items.Current;
        }
    }

    private static T Parse<T>(SseItem<string> item, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(item.Data, type)
                ?? throw new CapsuleApiException(null, $"Empty '{item.EventType}' event in the output stream");
        }
        catch (JsonException exception)
        {
            throw new CapsuleApiException(null, $"Unreadable '{item.EventType}' event in the output stream: {exception.Message}", exception);
        }
    }
}
