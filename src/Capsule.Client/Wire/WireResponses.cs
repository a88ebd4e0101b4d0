using System.Text.Json;

namespace Capsule.Client.Wire;

// Answers as the server writes them. Every field is optional here: the mapping to the public models decides
// what a missing field means, so an older or newer server does not break deserialisation.

internal sealed record CreateSessionReply(string? SessionId);

internal sealed record ExecuteReply(string? Stdout, string? Stderr, double? ExecutionTime, double? CpuTime, int? ExitCode, bool? TimedOut,
    bool? Truncated = null, bool? OomKilled = null);

internal sealed record QueuedReply(string? TaskId, string? SessionId, string? Status);

internal sealed record ExecutionReply(
    string? TaskId, string? SessionId, string? Status, bool? IsComplete, string? SerializedStdout, string? SerializedStderr,
    int? ExitCode, bool? TimedOut, double? ExecutionTime, double? CpuTime, string? CreatedAt, string? CompletedAt, string? Error,
    bool? Truncated = null, bool? OomKilled = null);

internal sealed record ExecutionListReply(List<ExecutionReply>? Executions, int? Limit, int? Offset, int? Total);

internal sealed record StreamText(string? Text);

internal sealed record StreamExit(
    int? ExitCode, bool? TimedOut, double? ExecutionTime, double? CpuTime, bool? Truncated = null, bool? OomKilled = null);

internal sealed record StreamError(string? Detail);

internal sealed record UploadReply(string? Status, string? RemotePath, long? Size);

internal sealed record KillReply(string? Status, string? Message, string? SessionId, string? VmId);

internal sealed record StatusReply(
    string? SessionId, bool? Exists, bool? VmAssigned, string? VmStatus, string? VmId, bool? VmAlive,
    double? UptimeSeconds, double? ExpiresInSeconds, string? CreatedAt);

internal sealed record SessionReply(
    string? SessionId, string? Status, string? VmId, int? VcpuCount, int? MemoryMb, int? VmLifetimeSeconds,
    Dictionary<string, JsonElement>? Metadata, string? CreatedAt, string? SpawnedAt, string? ExpiresAt, string? EndedAt, string? EndReason,
    string? EndDetail = null);

internal sealed record UsageReply(
    string? SessionId, double? CpuTimeSeconds, int? MemoryMb, double? MemoryUsedMb, int? ExecutionsCount, double? UptimeSeconds, string? VmStatus);

internal sealed record AppUrlReply(
    string? Url, string? DirectUrl, string? VmIp, int? Port, string? VmId, string? SessionId, string? Status, int? ExpiresInSeconds);

internal sealed record SandboxReply(
    string? SandboxId, string? TemplateId, string? Name, Dictionary<string, JsonElement>? Metadata, string? StartedAt, string? EndAt, string? Status);

internal sealed record HealthReply(
    string? Status, string? Version, string? Accelerator, string? AcceleratorReason, int? SessionsActive, int? MachinesRunning);

internal sealed record ApiKeyReply(
    string? Id, string? ApiKey, string? Description, bool? IsAdmin, string? CreatedAt, string? RevokedAt, string? KeyPrefix);

internal sealed record ShareReply(
    string? ShareId, string? SessionId, int? Port, bool? IsPublic, string? Url, string? Status, string? CreatedAt, string? RevokedAt);

internal sealed record ShareTokenReply(string? ShareId, string? Token, string? Url, int? ExpiresInSeconds, string? ExpiresAt);

internal sealed record EgressReply(
    string? SessionId, bool? AllowPackageManagers, bool? AllowHttp, bool? AllowHttps, List<string>? AllowedDomains, List<string>? AllowedCidrs);

internal sealed record PtyReply(
    string? PtyId, string? SessionId, int? Cols, int? Rows, string? Shell, string? Status, int? ExitCode, bool? Attached,
    string? CreatedAt, string? EndedAt, string? AttachUrl);

internal sealed record PtyTokenReply(string? Token, int? ExpiresInSeconds, string? AttachUrl);

/// <summary>A text frame from the attach socket: <c>{"type":"exit","exit_code":N}</c>.</summary>
internal sealed record PtySocketMessage(string? Type, int? ExitCode);
