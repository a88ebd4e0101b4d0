namespace Capsule.Client.Tests.Sdk;

/// <summary>How a client finds its server and key. These tests set process environment variables, so they run alone.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class ClientOptionsTests : IAsyncLifetime
{
    private readonly CapsuleApp _app = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        Environment.SetEnvironmentVariable(CapsuleClient.ApiKeyVariable, null);
        Environment.SetEnvironmentVariable(CapsuleClient.UrlVariable, null);
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Constructor_NoKeyGiven_ReadsCapsuleApiKey()
    {
        Environment.SetEnvironmentVariable(CapsuleClient.ApiKeyVariable, _app.AdminKey);
        using var client = new CapsuleClient(new CapsuleClientOptions { HttpClient = _app.CreateClient() });

        var keys = await client.ApiKeys.ListAsync(Bounded.Token).Bound();

        Assert.Contains(keys, k => k.IsAdmin);
    }

    [Fact]
    public async Task Constructor_KeyGiven_WinsOverTheEnvironment()
    {
        Environment.SetEnvironmentVariable(CapsuleClient.ApiKeyVariable, "capsule_sk_wrong");
        using var client = new CapsuleClient(new CapsuleClientOptions { HttpClient = _app.CreateClient(), ApiKey = _app.AdminKey });

        var keys = await client.ApiKeys.ListAsync(Bounded.Token).Bound();

        Assert.NotEmpty(keys);
    }

    [Fact]
    public void Constructor_NoUrlGiven_UsesHttpClientBaseAddressThenCapsuleUrlThenDefault()
    {
        Environment.SetEnvironmentVariable(CapsuleClient.UrlVariable, "http://capsule.internal:9000");
        using var http = new HttpClient { BaseAddress = new Uri("http://from-http-client:1234") };
        using var fromHttpClient = new CapsuleClient(new CapsuleClientOptions { HttpClient = http });
        using var fromEnvironment = new CapsuleClient();
        Environment.SetEnvironmentVariable(CapsuleClient.UrlVariable, null);
        using var fromDefault = new CapsuleClient();

        Assert.Equal(new Uri("http://from-http-client:1234/"), fromHttpClient.BaseUrl);
        Assert.Equal(new Uri("http://capsule.internal:9000/"), fromEnvironment.BaseUrl);
        Assert.Equal(new Uri("http://127.0.0.1:8080/"), fromDefault.BaseUrl);
    }

    [Fact]
    public void Options_ToString_HidesTheKey()
    {
        var options = new CapsuleClientOptions { ApiKey = "capsule_sk_secret", BaseUrl = new Uri("http://h:1") };

        Assert.DoesNotContain("capsule_sk_secret", options.ToString(), StringComparison.Ordinal);
        Assert.Contains("http://h:1", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_UrlWithPath_KeepsThePathAsBase()
    {
        using var client = new CapsuleClient(new Uri("http://proxy.local/capsule"));

        Assert.Equal(new Uri("http://proxy.local/capsule/"), client.BaseUrl);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "process environment";
}
