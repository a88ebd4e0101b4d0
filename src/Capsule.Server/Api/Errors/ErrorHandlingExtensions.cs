using Capsule.Server.Api.Validation;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Capsule.Server.Api.Errors;

internal static class ErrorHandlingExtensions
{
    public static IServiceCollection AddCapsuleErrors(this IServiceCollection services)
    {
        services.AddExceptionHandler<CapsuleExceptionHandler>();
        // UseExceptionHandler() insists on a fallback; ours handles every exception, so it is never reached.
        services.AddProblemDetails();
        // The body size limit is refused here too (413), so it is registered with the refusals.
        services.AddOptions<RequestBodyOptions>().BindConfiguration(RequestBodyOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RequestBodyOptions>, RequestBodyOptionsValidator>();
        return services;
    }

    /// <summary>
    /// Exceptions become <c>{"detail": ...}</c> via <see cref="CapsuleExceptionHandler"/>; empty error responses
    /// from routing (unknown route, wrong method) get FastAPI's bodies, e.g. <c>{"detail":"Not Found"}</c>.
    /// </summary>
    public static WebApplication UseCapsuleErrors(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(context =>
        {
            var response = context.HttpContext.Response;
            var detail = ReasonPhrases.GetReasonPhrase(response.StatusCode);
            return ErrorResponseWriter.WriteDetailAsync(
                response, response.StatusCode, detail.Length > 0 ? detail : "Error", context.HttpContext.RequestAborted);
        });
        return app;
    }
}
