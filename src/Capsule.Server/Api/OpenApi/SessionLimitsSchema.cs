using System.Globalization;
using System.Text.Json.Nodes;
using Capsule.Server.Sessions;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Capsule.Server.Api.OpenApi;

/// <summary>
/// Writes this host's <see cref="SessionLimits"/> into the create body's schema (<c>memory_mb</c>'s range,
/// <c>vcpu_count</c>'s values), so the document says what validation enforces, as configured.
/// </summary>
internal static class SessionLimitsSchema
{
    public static void Apply(OpenApiSchema schema, OpenApiSchemaTransformerContext context)
    {
        if (context.JsonPropertyInfo is not { } property || property.DeclaringType != typeof(CreateSessionRequestSchema))
            return;
        var limits = context.ApplicationServices.GetRequiredService<SessionLimits>();
        switch (property.Name)
        {
            case "memory_mb":
                schema.Minimum = limits.MinMemoryMb.ToString(CultureInfo.InvariantCulture);
                schema.Maximum = limits.MaxMemoryMb.ToString(CultureInfo.InvariantCulture);
                break;
            case "vcpu_count":
                schema.Enum = [.. limits.VcpuCounts.Select(count => (JsonNode)JsonValue.Create(count))];
                break;
        }
    }
}
