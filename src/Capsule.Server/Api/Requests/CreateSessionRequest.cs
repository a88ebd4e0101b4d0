using System.Text.Json;
using Capsule.Server.Api.Validation;
using Capsule.Server.Egress;
using Capsule.Server.Sessions;

namespace Capsule.Server.Api.Requests;

/// <summary>InstaVM's <c>CreateSessionRequest</c> (<c>POST /v1/sessions/session</c>), validated.</summary>
internal sealed record CreateSessionRequest
{
    /// <summary>The body's key; null only for a dashboard request, which is signed in instead.</summary>
    public required string? ApiKey { get; init; }
    public required int VmLifetimeSeconds { get; init; }
    public required int MemoryMb { get; init; }
    public required int VcpuCount { get; init; }
    public JsonElement? Metadata { get; init; }
    public required IReadOnlyDictionary<string, string> Env { get; init; }
    /// <summary>The extension field <c>egress_policy</c> (InstaVM's VMs API has it); null when not given.</summary>
    public EgressPolicy? EgressPolicy { get; init; }

    /// <summary>
    /// Reads the body, or throws one 422 listing every problem (in the schema's field order). Memory and vCPU counts are
    /// checked against what this host runs (<paramref name="limits"/>). <c>api_key</c> is required (InstaVM's rule) unless
    /// <paramref name="signedIn"/>: a dashboard request, whose key the server holds for it.
    /// </summary>
    public static CreateSessionRequest Parse(JsonElement body, SessionLimits limits, bool signedIn = false)
    {
        var fields = new BodyFields(body);
        var apiKey = signedIn ? fields.OptionalString("api_key") : fields.RequiredString("api_key");
        var lifetime = fields.Int("vm_lifetime_seconds", defaultValue: SessionLimits.DefaultLifetimeSeconds,
            min: SessionLimits.MinLifetimeSeconds, max: SessionLimits.MaxLifetimeSeconds);
        var memory = fields.Int("memory_mb", defaultValue: Math.Clamp(SessionLimits.DefaultMemoryMb, limits.MinMemoryMb, limits.MaxMemoryMb),
            min: limits.MinMemoryMb, max: limits.MaxMemoryMb);
        if (memory is { } mb && mb % 2 != 0)
            fields.ValueError("memory_mb", "memory_mb must be even");
        var vcpu = fields.IntLiteral("vcpu_count", defaultValue: SessionLimits.DefaultVcpuCount, limits.VcpuCounts);
        var metadata = fields.OptionalObject("metadata");
        var env = fields.OptionalStringMap("env");
        EgressPolicy? egress = null;
        if (fields.OptionalObject("egress_policy") is { } policy)
        {
            var nested = new BodyFields(policy, ["body", "egress_policy"]);
            egress = EgressPolicyParser.Parse(nested);
            fields.Absorb(nested);
        }
        fields.ThrowIfInvalid();

        return new CreateSessionRequest
        {
            ApiKey = apiKey,
            VmLifetimeSeconds = lifetime!.Value,
            MemoryMb = memory!.Value,
            VcpuCount = vcpu!.Value,
            Metadata = metadata,
            Env = env ?? [],
            EgressPolicy = egress,
        };
    }
}
