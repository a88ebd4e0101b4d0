namespace Capsule.Client.Tests.Cli;

/// <summary>SDK clients wired to the real server process.</summary>
internal static class ServerProcessSdk
{
    /// <summary>An SDK client for <paramref name="server"/> with <paramref name="apiKey"/> (default: the admin key).</summary>
    public static CapsuleClient Sdk(this ServerProcess server, string? apiKey = null) =>
        new(new CapsuleClientOptions { BaseUrl = server.Url, ApiKey = apiKey ?? server.AdminKey });
}
