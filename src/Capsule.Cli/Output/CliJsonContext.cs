using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Capsule.Cli.Config;
using Capsule.Client;

namespace Capsule.Cli.Output;

/// <summary>
/// What <c>--json</c> prints: the SDK's models in the wire's style (snake_case, durations as seconds named
/// <c>*_seconds</c>, except InstaVM's <c>execution_time</c>/<c>cpu_time</c> which are seconds already).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    Converters = [typeof(SecondsConverter)])]
[JsonSerializable(typeof(ConfigFile))]
[JsonSerializable(typeof(CreatedSession))]
[JsonSerializable(typeof(ExecutionResult))]
[JsonSerializable(typeof(IReadOnlyList<SandboxInfo>))]
[JsonSerializable(typeof(SessionStatus))]
[JsonSerializable(typeof(AppUrl))]
[JsonSerializable(typeof(KillResult))]
[JsonSerializable(typeof(UploadResult))]
[JsonSerializable(typeof(DownloadedFile))]
[JsonSerializable(typeof(HealthInfo))]
[JsonSerializable(typeof(CreatedApiKey))]
[JsonSerializable(typeof(IReadOnlyList<ApiKeyInfo>))]
[JsonSerializable(typeof(RevokedKey))]
[JsonSerializable(typeof(EgressPolicy))]
[JsonSerializable(typeof(Share))]
[JsonSerializable(typeof(IReadOnlyList<Share>))]
[JsonSerializable(typeof(ShareToken))]
[JsonSerializable(typeof(ErrorOutput))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    /// <summary>The options to print with: this context plus the <c>_seconds</c> naming of durations.</summary>
    private static JsonSerializerOptions? s_printing;

    public static JsonSerializerOptions Printing => s_printing ??= CreatePrintingOptions();

    public static JsonTypeInfo<T> Print<T>() => (JsonTypeInfo<T>)Printing.GetTypeInfo(typeof(T))!;

    private static JsonSerializerOptions CreatePrintingOptions() => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new SecondsConverter() },
        TypeInfoResolver = Default.WithAddedModifier(NameDurations),
    };

    private static void NameDurations(JsonTypeInfo type)
    {
        foreach (var property in type.Properties)
        {
            if (property.PropertyType != typeof(TimeSpan) && property.PropertyType != typeof(TimeSpan?))
                continue;
            if (!property.Name.EndsWith("_time", StringComparison.Ordinal) && !property.Name.EndsWith("_seconds", StringComparison.Ordinal))
                property.Name += "_seconds";
        }
    }
}

/// <summary><c>capsule create --json</c>.</summary>
internal sealed record CreatedSession(string SessionId);

/// <summary><c>capsule download --json</c>.</summary>
internal sealed record DownloadedFile(string RemotePath, string LocalPath, long Size);

/// <summary><c>capsule keys revoke --json</c>.</summary>
internal sealed record RevokedKey(string Status, string Id);

/// <summary>What a failed command prints on stderr under <c>--json</c>.</summary>
internal sealed record ErrorOutput(string Detail, int? StatusCode);
