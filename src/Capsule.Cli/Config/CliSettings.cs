using System.Text.Json;
using Capsule.Cli.Output;
using Capsule.Client;

namespace Capsule.Cli.Config;

/// <summary>Where the server is and which key to use. Each value comes from the first of: flag, environment, config file.</summary>
internal sealed record CliSettings(Uri Url, string? ApiKey)
{
    public static CliSettings Resolve(string? urlFlag, string? apiKeyFlag, Func<string, string?> environment)
    {
        var needFile = NonEmpty(urlFlag) is null && NonEmpty(environment(CapsuleClient.UrlVariable)) is null
            || NonEmpty(apiKeyFlag) is null && NonEmpty(environment(CapsuleClient.ApiKeyVariable)) is null;
        var file = needFile ? Load(ConfigFile.DefaultPath(environment)) : null;

        var url = NonEmpty(urlFlag) ?? NonEmpty(environment(CapsuleClient.UrlVariable)) ?? NonEmpty(file?.Url);
        var apiKey = NonEmpty(apiKeyFlag) ?? NonEmpty(environment(CapsuleClient.ApiKeyVariable)) ?? NonEmpty(file?.ApiKey);
        return new CliSettings(url is null ? CapsuleClientOptions.DefaultBaseUrl : ParseUrl(url), apiKey);
    }

    private static ConfigFile? Load(string path)
    {
        if (!File.Exists(path))
            return null;
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), CliJsonContext.Default.ConfigFile);
        }
        catch (JsonException exception)
        {
            throw new CliException($"The config file {path} is not valid JSON: {exception.Message}");
        }
    }

    private static Uri ParseUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https"
            ? parsed
            : throw new CliException($"Not an http(s) URL: {url}");

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
