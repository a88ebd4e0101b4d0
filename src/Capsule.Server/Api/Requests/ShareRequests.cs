using System.Text.Json;
using Capsule.Server.Api.Validation;

namespace Capsule.Server.Api.Requests;

/// <summary>The body of <c>POST /v1/shares</c>.</summary>
internal sealed record CreateShareRequest(string SessionId, int Port, bool IsPublic, string? ApiKey)
{
    public static CreateShareRequest Parse(JsonElement body)
    {
        var fields = new BodyFields(body);
        var sessionId = fields.RequiredString("session_id");
        int? port = null;
        if (!fields.Has("port"))
            fields.Missing("port");
        else
            port = fields.Int("port", defaultValue: 80, min: ShareLimits.MinPort, max: ShareLimits.MaxPort);
        var isPublic = fields.Bool("is_public", defaultValue: false);
        var apiKey = fields.OptionalString("api_key");
        fields.ThrowIfInvalid();
        return new CreateShareRequest(sessionId!, port!.Value, isPublic!.Value, apiKey);
    }
}

/// <summary>The body of <c>PATCH /v1/shares/{share_id}</c>: either or both fields.</summary>
internal sealed record UpdateShareRequest(bool? IsPublic, bool Revoke, string? ApiKey)
{
    public static UpdateShareRequest Parse(JsonElement body)
    {
        var fields = new BodyFields(body);
        var isPublic = fields.Has("is_public") ? fields.Bool("is_public", defaultValue: false) : null;
        var revoke = fields.Bool("revoke", defaultValue: false);
        var apiKey = fields.OptionalString("api_key");
        if (!fields.Has("is_public") && !fields.Has("revoke"))
            fields.ValueError("is_public", "give is_public, revoke or both");
        fields.ThrowIfInvalid();
        return new UpdateShareRequest(isPublic, revoke!.Value, apiKey);
    }
}

/// <summary>Guest ports a share may name.</summary>
internal static class ShareLimits
{
    public const int MinPort = 1;
    public const int MaxPort = 65535;
}
