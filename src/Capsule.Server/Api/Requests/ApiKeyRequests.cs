using System.Text.Json;
using Capsule.Server.Api.Validation;

namespace Capsule.Server.Api.Requests;

/// <summary>The body of <c>POST /v1/api-keys/</c>; every field is optional (an empty body is fine).</summary>
internal sealed record CreateApiKeyRequest(string Description, bool IsAdmin)
{
    public const int MaxDescriptionLength = 256;

    public static CreateApiKeyRequest Parse(JsonElement body)
    {
        var fields = new BodyFields(body);
        var description = fields.OptionalText("description", MaxDescriptionLength);
        var isAdmin = fields.Bool("is_admin", defaultValue: false);
        fields.ThrowIfInvalid();
        return new CreateApiKeyRequest(description ?? "", isAdmin!.Value);
    }
}

/// <summary>The body of <c>PATCH /v1/api-keys/{id}</c>.</summary>
internal sealed record UpdateApiKeyRequest(string Description)
{
    public static UpdateApiKeyRequest Parse(JsonElement body)
    {
        var fields = new BodyFields(body);
        var description = fields.RequiredText("description", CreateApiKeyRequest.MaxDescriptionLength);
        fields.ThrowIfInvalid();
        return new UpdateApiKeyRequest(description!);
    }
}
