using System.Text.Json.Serialization;

namespace Capsule.Client.Wire;

/// <summary>Every wire type, source-generated: snake_case both ways, nulls left out of requests.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(CreateSessionBody))]
[JsonSerializable(typeof(CommandBody))]
[JsonSerializable(typeof(KillBody))]
[JsonSerializable(typeof(ExtendBody))]
[JsonSerializable(typeof(CreateApiKeyBody))]
[JsonSerializable(typeof(UpdateApiKeyBody))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(CreateSessionReply))]
[JsonSerializable(typeof(ExecuteReply))]
[JsonSerializable(typeof(QueuedReply))]
[JsonSerializable(typeof(ExecutionReply))]
[JsonSerializable(typeof(ExecutionListReply))]
[JsonSerializable(typeof(StreamText))]
[JsonSerializable(typeof(StreamExit))]
[JsonSerializable(typeof(StreamError))]
[JsonSerializable(typeof(UploadReply))]
[JsonSerializable(typeof(KillReply))]
[JsonSerializable(typeof(StatusReply))]
[JsonSerializable(typeof(SessionReply))]
[JsonSerializable(typeof(UsageReply))]
[JsonSerializable(typeof(AppUrlReply))]
[JsonSerializable(typeof(List<SandboxReply>))]
[JsonSerializable(typeof(HealthReply))]
[JsonSerializable(typeof(ApiKeyReply))]
[JsonSerializable(typeof(List<ApiKeyReply>))]
[JsonSerializable(typeof(CreateShareBody))]
[JsonSerializable(typeof(UpdateShareBody))]
[JsonSerializable(typeof(EgressBody))]
[JsonSerializable(typeof(ShareReply))]
[JsonSerializable(typeof(List<ShareReply>))]
[JsonSerializable(typeof(ShareTokenReply))]
[JsonSerializable(typeof(EgressReply))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(CreatePtyBody))]
[JsonSerializable(typeof(ResizePtyBody))]
[JsonSerializable(typeof(PtyReply))]
[JsonSerializable(typeof(List<PtyReply>))]
[JsonSerializable(typeof(PtyTokenReply))]
[JsonSerializable(typeof(PtySocketMessage))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;
