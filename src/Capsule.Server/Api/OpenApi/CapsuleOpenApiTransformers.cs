using System.Reflection;
using Capsule.Server.Api.Responses;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Capsule.Server.Api.OpenApi;

/// <summary>What the generator cannot know: our title and auth schemes, and the float seconds written by a custom converter.</summary>
internal static class CapsuleOpenApiTransformers
{
    public const string ApiKeyScheme = "ApiKeyHeader";
    public const string BearerScheme = "Bearer";

    public static Task DocumentAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Capsule",
            Version = typeof(CapsuleOpenApiTransformers).Assembly.GetName().Version?.ToString(3) ?? "1.0.0",
            Description = "Self-hosted microVM sandboxes, wire-compatible with InstaVM's HTTP API. Errors are " +
                "{\"detail\": \"...\"}; validation errors (422) are FastAPI's {\"detail\": [{type, loc, msg, input}]}. " +
                "Times are naive ISO 8601 in UTC; durations are seconds as floats.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "X-API-Key",
            Description = "The API key. It may also be sent as Authorization: Bearer, or as api_key in the JSON body or form.",
        };
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The API key as a bearer token.",
        };
        return Task.CompletedTask;
    }

    /// <summary>Adds the success response from the handler's own return type, and the security requirement.</summary>
    public static async Task OperationAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        operation.Responses ??= [];
        // The generator adds a bare "200 OK" to operations that declare no response; describe it from the handler.
        var declared = operation.Responses.Where(r => r.Key.StartsWith('2')).Any(r => r.Value.Content is { Count: > 0 });
        if (!declared && metadata.OfType<MethodInfo>().FirstOrDefault() is { } handler && JsonResultType(handler.ReturnType) is { } type)
        {
            operation.Responses["200"] = new OpenApiResponse
            {
                Description = "OK",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(type, null, cancellationToken) },
                },
            };
        }
        AddSecurity(operation, context, metadata.OfType<ApiKeyRequirement>().LastOrDefault());
    }

    /// <summary><c>T</c> for a handler returning <c>JsonHttpResult&lt;T&gt;</c> or a task of one; null otherwise.</summary>
    private static Type? JsonResultType(Type returnType)
    {
        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
            returnType = returnType.GetGenericArguments()[0];
        return returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(JsonHttpResult<>)
            ? returnType.GetGenericArguments()[0]
            : null;
    }

    private static void AddSecurity(OpenApiOperation operation, OpenApiOperationTransformerContext context, ApiKeyRequirement? requirement)
    {
        if (requirement == ApiKeyRequirement.None)
            return;
        operation.Security ??= [];
        if (requirement == ApiKeyRequirement.Optional)
            operation.Security.Add(new OpenApiSecurityRequirement());
        var document = context.Document;
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [] });
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] });
    }

    /// <summary>Schema names as FastAPI would give them: <c>CommandRequest</c>, not <c>CommandRequestSchema</c>.</summary>
    public static string? SchemaReferenceId(System.Text.Json.Serialization.Metadata.JsonTypeInfo typeInfo)
    {
        var id = OpenApiOptions.CreateDefaultSchemaReferenceId(typeInfo);
        return id is not null && id.EndsWith("Schema", StringComparison.Ordinal) ? id[..^"Schema".Length] : id;
    }

    /// <summary>Durations written by <see cref="SecondsJsonConverter"/> are numbers (floats), not "any".</summary>
    public static Task SchemaAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        SessionLimitsSchema.Apply(schema, context);
        switch (context.JsonPropertyInfo?.CustomConverter)
        {
            case SecondsJsonConverter:
                schema.Type = JsonSchemaType.Number;
                schema.Format = "double";
                break;
            case NullableSecondsJsonConverter:
                schema.Type = JsonSchemaType.Number | JsonSchemaType.Null;
                schema.Format = "double";
                break;
        }
        return Task.CompletedTask;
    }
}
