using Capsule.Server.Api.Errors;

namespace Capsule.Server.Egress;

/// <summary>
/// What this server can enforce. Today that is deny-all (the network slot drops everything a guest starts,
/// docs/network.md §2); a policy that allows traffic is refused with 501 rather than stored and not enforced.
/// </summary>
internal static class EgressEnforcement
{
    public const string NotYet =
        "This server enforces deny-all egress only so far: allow_package_managers, allow_http and allow_https must be false and allowed_domains and allowed_cidrs empty";

    /// <summary>The server-wide default for a session that has not set one.</summary>
    public static EgressPolicy Default => EgressPolicy.DenyAll;

    public static void RequireEnforceable(EgressPolicy policy)
    {
        if (!policy.IsDenyAll)
            throw new CapsuleException(ErrorCode.NotImplemented, NotYet);
    }
}
