namespace Capsule.Client.Tests.Infrastructure;

/// <summary>SDK clients wired to the in-memory server.</summary>
internal static class CapsuleAppSdk
{
    /// <summary>An SDK client for <paramref name="app"/>; <paramref name="handlers"/> sit between the client and the server.</summary>
    public static CapsuleClient Sdk(this CapsuleApp app, string? apiKey, int maxRetries = 3, params DelegatingHandler[] handlers) =>
        new(new CapsuleClientOptions
        {
            HttpClient = app.CreateDefaultClient(handlers),
            ApiKey = apiKey ?? "",
            MaxRetries = maxRetries,
            RetryDelay = TimeSpan.FromMilliseconds(5),
        });
}
