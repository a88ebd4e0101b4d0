using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;

namespace Capsule.Client.Http;

/// <summary>
/// Sends calls to one server: adds the API key, retries what <see cref="RetryPolicy"/> allows for idempotent calls,
/// and turns error answers and transport failures into the SDK's exceptions. Cancellation passes through untouched.
/// </summary>
internal sealed class ApiTransport(HttpClient http, Uri baseUrl, string? apiKey, RetryPolicy retry)
{
    public const string ApiKeyHeader = "X-API-Key";

    public Uri BaseUrl { get; } = baseUrl;

    public string? ApiKey { get; } = apiKey;

    /// <summary>Sends the call; returns the successful response (the caller disposes it) or throws.</summary>
    public async Task<HttpResponseMessage> SendAsync(ApiCall call, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var canRetry = call.Idempotent && attempt < retry.MaxRetries;
            using var request = Build(call);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException exception) when (canRetry && RetryPolicy.IsTransient(exception))
            {
                await Task.Delay(retry.DelayBefore(attempt, retryAfter: null), cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (HttpRequestException exception)
            {
                throw new CapsuleConnectionException($"Cannot reach the Capsule server at {BaseUrl}: {exception.Message}", exception);
            }
            catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CapsuleConnectionException(
                    $"The Capsule server at {BaseUrl} did not answer within {http.Timeout.TotalSeconds:0} s", exception);
            }

            if (response.IsSuccessStatusCode)
                return response;
            if (canRetry && RetryPolicy.IsTransient(response.StatusCode))
            {
                var delay = retry.DelayBefore(attempt, ErrorMapper.RetryAfter(response));
                response.Dispose();
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                continue;
            }
            using (response)
                throw await ErrorMapper.ToExceptionAsync(response, call, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends the call and reads its JSON answer.</summary>
    public async Task<T> SendJsonAsync<T>(ApiCall call, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(call, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        try
        {
            return await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false)
                ?? throw new CapsuleApiException(response.StatusCode, $"{call.Method} {call.Path} answered with an empty body");
        }
        catch (System.Text.Json.JsonException exception)
        {
            throw new CapsuleApiException(response.StatusCode, $"{call.Method} {call.Path} answered with JSON this client cannot read: {exception.Message}", exception);
        }
    }

    private HttpRequestMessage Build(ApiCall call)
    {
        var request = new HttpRequestMessage(call.Method, new Uri(BaseUrl, call.Path.TrimStart('/')));
        if (!string.IsNullOrEmpty(ApiKey))
            request.Headers.Add(ApiKeyHeader, ApiKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(call.Accept ?? "application/json"));
        if (call.Content is { } content)
            request.Content = content();
        return request;
    }
}
