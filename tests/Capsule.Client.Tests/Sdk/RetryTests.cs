using System.Net.Sockets;

namespace Capsule.Client.Tests.Sdk;

/// <summary>
/// Transient failures (refused connections, 502/503/504) are retried with backoff, for calls that only read.
/// The failures come from a handler in front of the real server, or from a port nobody listens on.
/// </summary>
public sealed class RetryTests : IAsyncLifetime
{
    private readonly CapsuleApp _app = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    public async Task GetStatusAsync_TwoTransientFailures_SucceedsOnTheThirdAttempt(HttpStatusCode failure)
    {
        var sessionId = await CreateSessionAsync();
        var flaky = new FlakyHandler(2, failure);
        using var client = _app.Sdk(_app.AdminKey, maxRetries: 3, flaky);

        var status = await client.GetSession(sessionId).GetStatusAsync(Bounded.Token).Bound();

        Assert.Equal(sessionId, status.SessionId);
        Assert.Equal(3, flaky.Requests);
    }

    [Fact]
    public async Task GetStatusAsync_MoreFailuresThanRetries_ThrowsTheLastStatus()
    {
        var sessionId = await CreateSessionAsync();
        var flaky = new FlakyHandler(100);
        using var client = _app.Sdk(_app.AdminKey, maxRetries: 2, flaky);

        var error = await Assert.ThrowsAsync<CapsuleApiException>(() => client.GetSession(sessionId).GetStatusAsync(Bounded.Token)).Bound();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal("Upstream unavailable", error.Detail);
        Assert.Equal(3, flaky.Requests);
    }

    [Fact]
    public async Task ExecuteAsync_ServiceUnavailable_IsNotRetried()
    {
        var sessionId = await CreateSessionAsync();
        var flaky = new FlakyHandler(1);
        using var client = _app.Sdk(_app.AdminKey, maxRetries: 3, flaky);

        var error = await Assert.ThrowsAsync<CapsuleApiException>(
            () => client.GetSession(sessionId).ExecuteAsync("print(1)", cancellationToken: Bounded.Token)).Bound();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(1, flaky.Requests);
        Assert.Empty(_app.Machines.Started);
    }

    [Fact]
    public async Task CreateSessionAsync_ServiceUnavailable_IsNotRetried()
    {
        var flaky = new FlakyHandler(1);
        using var client = _app.Sdk(_app.AdminKey, maxRetries: 3, flaky);

        await Assert.ThrowsAsync<CapsuleApiException>(() => client.CreateSessionAsync(cancellationToken: Bounded.Token)).Bound();

        Assert.Equal(1, flaky.Requests);
    }

    [Fact]
    public async Task DownloadAsync_ServiceUnavailableOnce_IsRetried()
    {
        var sessionId = await CreateSessionAsync();
        using (var setup = _app.Sdk(_app.AdminKey))
            await setup.GetSession(sessionId).UploadAsync(new MemoryStream([7, 8, 9]), "/app/f", Bounded.Token).Bound();
        var flaky = new FlakyHandler(1);
        using var client = _app.Sdk(_app.AdminKey, maxRetries: 3, flaky);
        using var destination = new MemoryStream();

        await client.GetSession(sessionId).DownloadAsync("/app/f", destination, Bounded.Token).Bound();

        Assert.Equal([7, 8, 9], destination.ToArray());
        Assert.Equal(2, flaky.Requests);
    }

    [Fact]
    public async Task GetHealthAsync_ConnectionRefused_RetriesThenThrowsConnectionError()
    {
        var counter = new FlakyHandler(0) { InnerHandler = new SocketsHttpHandler() };
        using var http = new HttpClient(counter);
        using var client = new CapsuleClient(new CapsuleClientOptions
        {
            BaseUrl = new Uri($"http://127.0.0.1:{ClosedPort()}"),
            HttpClient = http,
            MaxRetries = 3,
            RetryDelay = TimeSpan.FromMilliseconds(5),
        });

        var error = await Assert.ThrowsAsync<CapsuleConnectionException>(() => client.GetHealthAsync(Bounded.Token)).Bound();

        Assert.Null(error.StatusCode);
        var inner = Assert.IsType<HttpRequestException>(error.InnerException);
        Assert.Equal(HttpRequestError.ConnectionError, inner.HttpRequestError);
        Assert.Equal(4, counter.Requests);
    }

    [Fact]
    public async Task CreateSessionAsync_ConnectionRefused_IsNotRetried()
    {
        var counter = new FlakyHandler(0) { InnerHandler = new SocketsHttpHandler() };
        using var http = new HttpClient(counter);
        using var client = new CapsuleClient(new CapsuleClientOptions
        {
            BaseUrl = new Uri($"http://127.0.0.1:{ClosedPort()}"),
            HttpClient = http,
            ApiKey = "capsule_sk_x",
            MaxRetries = 3,
            RetryDelay = TimeSpan.FromMilliseconds(5),
        });

        await Assert.ThrowsAsync<CapsuleConnectionException>(() => client.CreateSessionAsync(cancellationToken: Bounded.Token)).Bound();

        Assert.Equal(1, counter.Requests);
    }

    private async Task<string> CreateSessionAsync()
    {
        using var client = _app.Sdk(_app.AdminKey);
        return (await client.CreateSessionAsync(cancellationToken: Bounded.Token).Bound()).Id;
    }

    /// <summary>A loopback port that was just free: connecting to it is refused.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
