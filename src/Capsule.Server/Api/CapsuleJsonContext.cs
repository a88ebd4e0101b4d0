using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Capsule.Server.Api.Responses;

namespace Capsule.Server.Api;

/// <summary>
/// Every response body: snake_case, nulls written (InstaVM's clients expect every key), and only the escaping JSON
/// needs (program output such as <c>&lt;html&gt;</c> or <c>'</c> stays readable, as Python's json writes it).
/// </summary>
[JsonSerializable(typeof(CreateSessionResponse))]
[JsonSerializable(typeof(ExecuteResponse))]
[JsonSerializable(typeof(KillResponse))]
[JsonSerializable(typeof(SessionStatusResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(AsyncExecuteResponse))]
[JsonSerializable(typeof(ExecutionResponse))]
[JsonSerializable(typeof(ExecutionListResponse))]
[JsonSerializable(typeof(SessionInfoResponse))]
[JsonSerializable(typeof(UsageResponse))]
[JsonSerializable(typeof(IReadOnlyList<SandboxResponse>))]
[JsonSerializable(typeof(ApiKeyCreatedResponse))]
[JsonSerializable(typeof(ApiKeyResponse))]
[JsonSerializable(typeof(IReadOnlyList<ApiKeyResponse>))]
[JsonSerializable(typeof(ApiKeyRevokedResponse))]
[JsonSerializable(typeof(UploadResponse))]
[JsonSerializable(typeof(DownloadResponse))]
[JsonSerializable(typeof(StreamTextEvent))]
[JsonSerializable(typeof(StreamExitEvent))]
[JsonSerializable(typeof(AppUrlResponse))]
[JsonSerializable(typeof(ShareResponse))]
[JsonSerializable(typeof(IReadOnlyList<ShareResponse>))]
[JsonSerializable(typeof(ShareTokenResponse))]
[JsonSerializable(typeof(EgressPolicyResponse))]
[JsonSerializable(typeof(ErrorDetail))]
[JsonSerializable(typeof(PtyResponse))]
[JsonSerializable(typeof(IReadOnlyList<PtyResponse>))]
[JsonSerializable(typeof(PtyTokenResponse))]
[JsonSerializable(typeof(DashboardSigninResponse))]
internal sealed partial class CapsuleJsonContext : JsonSerializerContext
{
    public static JsonSerializerOptions WireOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The context to serialise responses with.</summary>
    public static CapsuleJsonContext Wire { get; } = new(WireOptions);
}
