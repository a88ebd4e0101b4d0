namespace Capsule.Server.Tests.Metrics;

internal static class MetricsScrape
{
    /// <summary>GET /metrics, asserting 200 and Prometheus' text format.</summary>
    public static async Task<PrometheusText> ScrapeAsync(this HttpClient client, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        using var response = await client.SendAsync(request, cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"/metrics: {response.StatusCode} {text}");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return PrometheusText.Parse(text);
    }
}
