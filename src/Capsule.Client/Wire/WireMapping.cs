namespace Capsule.Client.Wire;

/// <summary>Server answers to the public models. A required field the server left out reads as its empty value.</summary>
internal static class WireMapping
{
    public static ExecutionResult ToResult(this ExecuteReply reply) => new()
    {
        Stdout = reply.Stdout ?? "",
        Stderr = reply.Stderr ?? "",
        ExitCode = reply.ExitCode ?? 0,
        TimedOut = reply.TimedOut ?? false,
        Truncated = reply.Truncated ?? false,
        OomKilled = reply.OomKilled ?? false,
        ExecutionTime = WireValues.Seconds(reply.ExecutionTime ?? 0),
        CpuTime = WireValues.Seconds(reply.CpuTime ?? 0),
    };

    public static ExecutionExit ToExit(this StreamExit exit) => new()
    {
        ExitCode = exit.ExitCode ?? 0,
        TimedOut = exit.TimedOut ?? false,
        Truncated = exit.Truncated ?? false,
        OomKilled = exit.OomKilled ?? false,
        ExecutionTime = WireValues.Seconds(exit.ExecutionTime ?? 0),
        CpuTime = WireValues.Seconds(exit.CpuTime ?? 0),
    };

    public static QueuedExecution ToQueued(this QueuedReply reply, string sessionId) => new()
    {
        TaskId = reply.TaskId ?? "",
        SessionId = reply.SessionId ?? sessionId,
        Status = reply.Status ?? "queued",
    };

    public static ExecutionTask ToTask(this ExecutionReply reply) => new()
    {
        TaskId = reply.TaskId ?? "",
        SessionId = reply.SessionId ?? "",
        Status = reply.Status ?? "",
        IsComplete = reply.IsComplete ?? false,
        Stdout = reply.SerializedStdout ?? "",
        Stderr = reply.SerializedStderr ?? "",
        ExitCode = reply.ExitCode,
        TimedOut = reply.TimedOut ?? false,
        Truncated = reply.Truncated ?? false,
        OomKilled = reply.OomKilled ?? false,
        ExecutionTime = WireValues.Seconds(reply.ExecutionTime),
        CpuTime = WireValues.Seconds(reply.CpuTime),
        CreatedAt = WireValues.Time(reply.CreatedAt),
        CompletedAt = WireValues.Time(reply.CompletedAt),
        Error = reply.Error,
    };

    public static ExecutionPage ToPage(this ExecutionListReply reply) => new()
    {
        Executions = [.. (reply.Executions ?? []).Select(ToTask)],
        Limit = reply.Limit ?? 0,
        Offset = reply.Offset ?? 0,
        Total = reply.Total ?? 0,
    };

    public static UploadResult ToUpload(this UploadReply reply, string remotePath) => new()
    {
        RemotePath = reply.RemotePath ?? remotePath,
        Size = reply.Size ?? 0,
    };

    public static KillResult ToKill(this KillReply reply, string sessionId) => new()
    {
        SessionId = reply.SessionId ?? sessionId,
        VmId = reply.VmId ?? "",
        Message = reply.Message ?? "",
    };

    public static SessionStatus ToStatus(this StatusReply reply, string sessionId) => new()
    {
        SessionId = reply.SessionId ?? sessionId,
        Exists = reply.Exists ?? true,
        VmAssigned = reply.VmAssigned ?? false,
        VmStatus = reply.VmStatus,
        VmId = reply.VmId,
        VmAlive = reply.VmAlive ?? false,
        Uptime = WireValues.Seconds(reply.UptimeSeconds),
        ExpiresIn = WireValues.Seconds(reply.ExpiresInSeconds),
        CreatedAt = WireValues.Time(reply.CreatedAt),
    };

    public static SessionInfo ToInfo(this SessionReply reply, string sessionId) => new()
    {
        SessionId = reply.SessionId ?? sessionId,
        Status = reply.Status ?? "",
        VmId = reply.VmId,
        VcpuCount = reply.VcpuCount ?? 0,
        MemoryMb = reply.MemoryMb ?? 0,
        Lifetime = TimeSpan.FromSeconds(reply.VmLifetimeSeconds ?? 0),
        Metadata = WireValues.Metadata(reply.Metadata),
        CreatedAt = WireValues.Time(reply.CreatedAt),
        SpawnedAt = WireValues.Time(reply.SpawnedAt),
        ExpiresAt = WireValues.Time(reply.ExpiresAt),
        EndedAt = WireValues.Time(reply.EndedAt),
        EndReason = reply.EndReason,
        EndDetail = reply.EndDetail,
    };

    public static SessionUsage ToUsage(this UsageReply reply, string sessionId) => new()
    {
        SessionId = reply.SessionId ?? sessionId,
        CpuTime = WireValues.Seconds(reply.CpuTimeSeconds ?? 0),
        MemoryMb = reply.MemoryMb ?? 0,
        MemoryUsedMb = reply.MemoryUsedMb,
        ExecutionsCount = reply.ExecutionsCount ?? 0,
        Uptime = WireValues.Seconds(reply.UptimeSeconds),
        VmStatus = reply.VmStatus,
    };

    public static AppUrl ToAppUrl(this AppUrlReply reply, string sessionId, int port) => new()
    {
        Url = new Uri(reply.Url ?? throw new InvalidDataException("The server's app-url answer has no url.")),
        Port = reply.Port ?? port,
        SessionId = reply.SessionId ?? sessionId,
        VmId = reply.VmId,
        Status = reply.Status ?? "created",
        ExpiresIn = reply.ExpiresInSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
    };

    public static SandboxInfo ToSandbox(this SandboxReply reply) => new()
    {
        SandboxId = reply.SandboxId ?? "",
        TemplateId = reply.TemplateId,
        Name = reply.Name,
        Metadata = WireValues.Metadata(reply.Metadata),
        StartedAt = WireValues.Time(reply.StartedAt),
        EndAt = WireValues.Time(reply.EndAt),
        Status = reply.Status ?? "",
    };

    public static HealthInfo ToHealth(this HealthReply reply) => new()
    {
        Status = reply.Status ?? "",
        Version = reply.Version ?? "",
        Accelerator = reply.Accelerator ?? "",
        AcceleratorReason = reply.AcceleratorReason ?? "",
        SessionsActive = reply.SessionsActive ?? 0,
        MachinesRunning = reply.MachinesRunning ?? 0,
    };

    public static ApiKeyInfo ToKeyInfo(this ApiKeyReply reply) => new()
    {
        Id = reply.Id ?? "",
        Description = reply.Description,
        IsAdmin = reply.IsAdmin ?? false,
        CreatedAt = WireValues.Time(reply.CreatedAt),
        RevokedAt = WireValues.Time(reply.RevokedAt),
        KeyPrefix = reply.KeyPrefix,
    };

    public static CreatedApiKey ToCreatedKey(this ApiKeyReply reply) => new()
    {
        Id = reply.Id ?? "",
        ApiKey = reply.ApiKey ?? "",
        Description = reply.Description,
        IsAdmin = reply.IsAdmin ?? false,
        CreatedAt = WireValues.Time(reply.CreatedAt),
    };
}
