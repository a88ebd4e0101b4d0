using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Capsule.Server.Api.OpenApi;

internal static class OpenApiExtensions
{
    public const string DocumentName = "v1";

    public static IServiceCollection AddCapsuleOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            options.CreateSchemaReferenceId = CapsuleOpenApiTransformers.SchemaReferenceId;
            options.AddDocumentTransformer(CapsuleOpenApiTransformers.DocumentAsync);
            options.AddOperationTransformer(CapsuleOpenApiTransformers.OperationAsync);
            options.AddSchemaTransformer(CapsuleOpenApiTransformers.SchemaAsync);
        });

    /// <summary><c>GET /openapi.json</c> (the document) and <c>GET /docs</c> (a page generated from it); no key needed.</summary>
    public static IEndpointRouteBuilder MapCapsuleDocs(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi.json").NoKey();
        app.MapGet("/docs", DocsAsync)
            .WithTags("Service")
            .WithSummary("This API as a human-readable page, generated from /openapi.json")
            .NoKey()
            .Produces(StatusCodes.Status200OK, contentType: "text/html");
        return app;
    }

    private static async Task<IResult> DocsAsync(
        [FromKeyedServices(DocumentName)] IOpenApiDocumentProvider documents, CancellationToken cancellationToken)
    {
        var document = await documents.GetOpenApiDocumentAsync(cancellationToken);
        var json = await document.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1, cancellationToken);
        return Results.Content(DocsPage.Render(json), "text/html; charset=utf-8");
    }
}
