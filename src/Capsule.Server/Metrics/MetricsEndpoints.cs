using Capsule.Server.Api.Errors;
using Capsule.Server.Api.OpenApi;
using Capsule.Server.Api.Responses;
using Capsule.Server.Auth;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Capsule.Server.Metrics;

/// <summary>
/// <c>GET /metrics</c>: the Capsule meter in Prometheus' text format, written by OpenTelemetry's exporter. An admin API
/// key is required unless <c>Capsule:Metrics:RequireAdmin</c> is false; refusals go through the one error mapping.
/// </summary>
internal static class MetricsEndpoints
{
    public const string Path = "/metrics";

    public static WebApplication MapMetricsApi(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (!options.Enabled)
            return app;
        // The observable instruments are published now, before the first scrape.
        app.Services.GetRequiredService<CapsuleGauges>();
        // The exporter as a pipeline of its own, run by the route handler once the caller is let in.
        var scrape = ((IApplicationBuilder)app).New()
            .UseOpenTelemetryPrometheusScrapingEndpoint(
                meterProvider: null, predicate: _ => true, path: null, configureBranchedPipeline: null, optionsName: null)
            .Build();

        var route = app.MapGet(Path, async (HttpContext context, ApiKeyAuthenticator auth, CancellationToken cancellationToken) =>
            {
                if (options.RequireAdmin)
                {
                    var caller = await auth.AuthenticateAsync(context.Request, bodyKey: null, cancellationToken);
                    if (!caller.IsAdmin)
                        throw new CapsuleException(ErrorCode.PermissionDenied, "Only an admin API key can read /metrics");
                }
                await scrape(context);
            })
            .WithTags("Service")
            .WithSummary("Metrics in Prometheus' text format (docs/metrics.md)")
            .WithDescription("Needs an admin API key unless Capsule:Metrics:RequireAdmin is false.")
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.Responses ??= [];
                operation.Responses["200"] = new OpenApiResponse
                {
                    Description = "text/plain; version=0.0.4: every capsule_* metric",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                    },
                };
                return Task.CompletedTask;
            });
        if (options.RequireAdmin)
        {
            foreach (var status in new[] { StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status429TooManyRequests })
                route.Produces<ErrorDetail>(status, "application/json");
        }
        else
        {
            route.NoKey();
        }
        return app;
    }
}
