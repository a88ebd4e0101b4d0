using System.Text.Json;
using Capsule.Server.Api.Validation;

namespace Capsule.Server.Api.Requests;

/// <summary>The body of <c>POST /kill</c>.</summary>
internal sealed record KillRequest(string SessionId, string? ApiKey)
{
    public static KillRequest Parse(JsonElement body)
    {
        var fields = new BodyFields(body);
        var sessionId = fields.RequiredString("session_id");
        var apiKey = fields.OptionalString("api_key");
        fields.ThrowIfInvalid();
        return new KillRequest(sessionId!, apiKey);
    }
}
