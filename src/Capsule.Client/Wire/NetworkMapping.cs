namespace Capsule.Client.Wire;

/// <summary>Wire answers about shares and egress to the public models.</summary>
internal static class NetworkMapping
{
    public static Share ToShare(this ShareReply reply) => new()
    {
        ShareId = reply.ShareId ?? throw new InvalidDataException("The server's share answer has no share_id."),
        SessionId = reply.SessionId ?? "",
        Port = reply.Port ?? 0,
        IsPublic = reply.IsPublic ?? false,
        Url = new Uri(reply.Url ?? throw new InvalidDataException("The server's share answer has no url.")),
        Status = reply.Status ?? (reply.RevokedAt is null ? "active" : "revoked"),
        CreatedAt = WireValues.Time(reply.CreatedAt),
        RevokedAt = WireValues.Time(reply.RevokedAt),
    };

    public static ShareToken ToShareToken(this ShareTokenReply reply, string shareId) => new()
    {
        ShareId = reply.ShareId ?? shareId,
        Token = reply.Token ?? throw new InvalidDataException("The server's share token answer has no token."),
        Url = new Uri(reply.Url ?? throw new InvalidDataException("The server's share token answer has no url.")),
        ExpiresIn = TimeSpan.FromSeconds(reply.ExpiresInSeconds ?? 0),
        ExpiresAt = WireValues.Time(reply.ExpiresAt),
    };

    public static EgressPolicy ToPolicy(this EgressReply reply) => new()
    {
        AllowPackageManagers = reply.AllowPackageManagers ?? false,
        AllowHttp = reply.AllowHttp ?? false,
        AllowHttps = reply.AllowHttps ?? false,
        AllowedDomains = reply.AllowedDomains ?? [],
        AllowedCidrs = reply.AllowedCidrs ?? [],
    };

    public static EgressBody ToBody(this EgressPolicy policy) =>
        new(policy.AllowPackageManagers, policy.AllowHttp, policy.AllowHttps, policy.AllowedDomains, policy.AllowedCidrs);
}
