using Capsule.Server.Api.Responses;
using Microsoft.OpenApi;

namespace Capsule.Server.Api.OpenApi;

/// <summary>How each endpoint describes itself in the OpenAPI document (request bodies are parsed by hand, so they are declared).</summary>
internal static class EndpointDocs
{
    /// <summary>
    /// Declares the JSON body in the document only. (<c>Accepts&lt;T&gt;</c> would also make routing refuse other content
    /// types with 415, while bodies are read as JSON whatever their content type, as FastAPI does.)
    /// </summary>
    public static RouteHandlerBuilder AcceptsJson<TSchema>(this RouteHandlerBuilder builder) where TSchema : notnull =>
        builder.AcceptsForm<TSchema>("application/json");

    /// <summary>Declares a body of <paramref name="contentType"/> in the document only (see <see cref="AcceptsJson"/>).</summary>
    public static RouteHandlerBuilder AcceptsForm<TSchema>(this RouteHandlerBuilder builder, string contentType) where TSchema : notnull =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [contentType] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(TSchema), null, cancellationToken) },
                },
            };
        });

    /// <summary>
    /// The errors an endpoint answers with <c>{"detail": "..."}</c>: the given statuses, plus 401 and 429 (every endpoint
    /// that takes a key) and 422 (FastAPI's validation list).
    /// </summary>
    public static RouteHandlerBuilder ProducesErrors(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses.Append(StatusCodes.Status401Unauthorized).Append(StatusCodes.Status429TooManyRequests).Order())
            builder.Produces<ErrorDetail>(status, "application/json");
        return builder.Produces<ValidationErrorResponseSchema>(StatusCodes.Status422UnprocessableEntity, "application/json");
    }

    /// <summary>A query parameter the handler reads itself.</summary>
    public static RouteHandlerBuilder WithQueryParameter(this RouteHandlerBuilder builder, string name, string type, string description) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Query,
                Required = false,
                Description = description,
                Schema = new OpenApiSchema { Type = type == "integer" ? JsonSchemaType.Integer : JsonSchemaType.String },
            });
            return Task.CompletedTask;
        });

    /// <summary>A server-sent event stream as the 200 answer.</summary>
    public static RouteHandlerBuilder ProducesEventStream(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Responses ??= [];
            operation.Responses["200"] = new OpenApiResponse
            {
                Description = "text/event-stream: stdout/stderr events with {\"text\"}, then exit {\"exit_code\", \"timed_out\", " +
                    "\"execution_time\", \"cpu_time\"} or error {\"detail\"}",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["text/event-stream"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                },
            };
            return Task.CompletedTask;
        });

    /// <summary>A download: JSON with base64 content by default, the raw bytes for <c>Accept: application/octet-stream</c>.</summary>
    public static RouteHandlerBuilder ProducesDownload(this RouteHandlerBuilder builder) =>
        builder.Produces<DownloadResponse>(StatusCodes.Status200OK, "application/json")
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                if (operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse response)
                {
                    response.Content ??= new Dictionary<string, OpenApiMediaType>();
                    response.Content["application/octet-stream"] = new OpenApiMediaType
                    {
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                    };
                }
                return Task.CompletedTask;
            });

    /// <summary>Marks an endpoint that also answers without a key (its security requirement is optional).</summary>
    public static RouteHandlerBuilder KeyOptional(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(ApiKeyRequirement.Optional);

    /// <summary>Marks an endpoint that never takes a key.</summary>
    public static TBuilder NoKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(ApiKeyRequirement.None);
}
