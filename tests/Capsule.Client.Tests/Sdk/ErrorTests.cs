using System.Net.Http.Headers;

namespace Capsule.Client.Tests.Sdk;

/// <summary>Error answers become typed exceptions carrying the server's detail.</summary>
public sealed class ErrorTests : IAsyncLifetime
{
    private readonly CapsuleApp _app = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task CreateSessionAsync_NoKey_ThrowsValidationForTheMissingApiKey()
    {
        using var client = _app.Sdk(apiKey: null);

        // InstaVM's create takes the key in the body, where FastAPI reports a missing one as a 422.
        var error = await Assert.ThrowsAsync<ValidationException>(() => client.CreateSessionAsync(cancellationToken: Bounded.Token)).Bound();

        Assert.Contains(error.Errors, e => e.Location.SequenceEqual(["body", "api_key"]) && e.Type == "missing");
    }

    [Fact]
    public async Task ListAsync_UnknownKey_ThrowsAuthenticationWithTheServersDetail()
    {
        using var client = _app.Sdk("capsule_sk_not-a-real-key");

        var error = await Assert.ThrowsAsync<AuthenticationException>(() => client.ListAsync(cancellationToken: Bounded.Token)).Bound();

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("Invalid API key or session expired", error.Detail);
        Assert.Contains("Invalid API key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateSessionAsync_BadShape_ThrowsValidationListingEveryProblem()
    {
        using var client = _app.Sdk(_app.AdminKey);

        var error = await Assert.ThrowsAsync<ValidationException>(
            () => client.CreateSessionAsync(new SessionOptions { MemoryMb = 129, VcpuCount = 3 }, Bounded.Token)).Bound();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.StatusCode);
        Assert.Contains(error.Errors, e => e.Location.SequenceEqual(["body", "memory_mb"]));
        Assert.Contains(error.Errors, e => e.Location.SequenceEqual(["body", "vcpu_count"]) && e.Input == "3");
        Assert.All(error.Errors, e => Assert.Contains(e.Message, error.Detail, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnyCall_RateLimited_ThrowsRateLimitedWithRetryAfterAndDoesNotRetry()
    {
        var limiter = new FlakyHandler(1)
        {
            Answer = () =>
            {
                var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests)
                {
                    Content = new StringContent("""{"detail":"Rate limit exceeded"}""", System.Text.Encoding.UTF8, "application/json"),
                };
                response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
                return response;
            },
        };
        using var client = _app.Sdk(_app.AdminKey, maxRetries: 3, limiter);

        var error = await Assert.ThrowsAsync<RateLimitedException>(() => client.ListAsync(cancellationToken: Bounded.Token)).Bound();

        Assert.Equal("Rate limit exceeded", error.Detail);
        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
        Assert.Equal(1, limiter.Requests);
    }

    [Fact]
    public async Task AnyCall_NonJsonErrorPage_ThrowsWithTheStatusAndText()
    {
        var proxy = new FlakyHandler(1)
        {
            Answer = () => new HttpResponseMessage(HttpStatusCode.InternalServerError)
            {
                Content = new StringContent("<html>upstream exploded</html>", System.Text.Encoding.UTF8, "text/html"),
            },
        };
        using var client = _app.Sdk(_app.AdminKey, maxRetries: 3, proxy);

        var error = await Assert.ThrowsAsync<CapsuleApiException>(() => client.GetHealthAsync(Bounded.Token)).Bound();

        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal("<html>upstream exploded</html>", error.Detail);
    }

    [Fact]
    public async Task GetHealthAsync_NoKey_Answers()
    {
        using var client = _app.Sdk(apiKey: null);

        var health = await client.GetHealthAsync(Bounded.Token).Bound();

        Assert.Equal("ok", health.Status);
        Assert.Equal("tcg", health.Accelerator);
        Assert.Equal("no usable KVM (test host)", health.AcceleratorReason);
        Assert.False(string.IsNullOrEmpty(health.Version));
    }
}
