namespace Capsule.Server.Api.Responses;

/// <summary>InstaVM's egress policy object, as in force for a session.</summary>
internal sealed record EgressPolicyResponse(
    string SessionId, bool AllowPackageManagers, bool AllowHttp, bool AllowHttps, IReadOnlyList<string> AllowedDomains, IReadOnlyList<string> AllowedCidrs);
