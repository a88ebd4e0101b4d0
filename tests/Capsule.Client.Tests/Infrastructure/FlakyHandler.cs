namespace Capsule.Client.Tests.Infrastructure;

/// <summary>
/// Sits in front of the real server: answers the first <c>failures</c> requests itself with <c>status</c> (as a
/// proxy in front of a restarting server would), then passes everything through. Counts every request.
/// </summary>
internal sealed class FlakyHandler(int failures, HttpStatusCode status = HttpStatusCode.ServiceUnavailable) : DelegatingHandler
{
    private int _requests;

    public int Requests => _requests;

    public Func<HttpResponseMessage>? Answer { get; init; }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var number = Interlocked.Increment(ref _requests);
        if (number > failures)
            return base.SendAsync(request, cancellationToken);
        var response = Answer?.Invoke() ?? new HttpResponseMessage(status)
        {
            Content = new StringContent("""{"detail":"Upstream unavailable"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        response.RequestMessage = request;
        return Task.FromResult(response);
    }
}
