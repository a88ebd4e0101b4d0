namespace Capsule.Client.Wire;

/// <summary>PTY answers to the public models.</summary>
internal static class PtyMapping
{
    public static PtyInfo ToPty(this PtyReply reply, string sessionId) => new()
    {
        PtyId = reply.PtyId ?? "",
        SessionId = reply.SessionId ?? sessionId,
        Cols = reply.Cols ?? 0,
        Rows = reply.Rows ?? 0,
        Shell = reply.Shell ?? "",
        IsRunning = reply.Status == "running",
        ExitCode = reply.ExitCode,
        Attached = reply.Attached ?? false,
        CreatedAt = WireValues.Time(reply.CreatedAt),
        EndedAt = WireValues.Time(reply.EndedAt),
    };

    public static PtyToken ToToken(this PtyTokenReply reply) => new()
    {
        Token = reply.Token ?? "",
        ExpiresIn = TimeSpan.FromSeconds(reply.ExpiresInSeconds ?? 0),
        AttachUrl = reply.AttachUrl ?? "",
    };
}
