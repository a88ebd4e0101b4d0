using System.Text.Json;
using Capsule.Server.Api.Validation;
using Capsule.Server.Sessions;

namespace Capsule.Server.Api.Requests;

/// <summary>The body of <c>POST /v1/sessions/{session_id}/extend</c>.</summary>
internal sealed record ExtendRequest(int VmLifetimeSeconds, string? ApiKey)
{
    public static ExtendRequest Parse(JsonElement body)
    {
        var fields = new BodyFields(body);
        int? seconds = null;
        if (!fields.Has("vm_lifetime_seconds"))
            fields.Missing("vm_lifetime_seconds");
        else
            seconds = fields.Int("vm_lifetime_seconds", defaultValue: 0, min: SessionLimits.MinLifetimeSeconds, max: SessionLimits.MaxLifetimeSeconds);
        var apiKey = fields.OptionalString("api_key");
        fields.ThrowIfInvalid();
        return new ExtendRequest(seconds!.Value, apiKey);
    }
}
