using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace Capsule.Server.Metrics;

internal static class MetricsExtensions
{
    /// <summary>
    /// The instruments always (the server records into them wherever things happen); the OpenTelemetry exporter that
    /// <c>GET /metrics</c> reads only when <c>Capsule:Metrics:Enabled</c> (default true).
    /// </summary>
    public static IServiceCollection AddCapsuleMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(MetricsOptions.SectionName);
        services.AddOptions<MetricsOptions>().Bind(section);
        services.AddMetrics();
        if (!(section.Get<MetricsOptions>() ?? new MetricsOptions()).Enabled)
        {
            services.AddSingleton<CapsuleMetrics>();
            return services;
        }

        // The exporter listens before the instruments exist (whoever asks for them first), so the zeros they publish
        // at creation are kept.
        services.AddSingleton(provider =>
        {
            provider.GetRequiredService<MeterProvider>();
            return new CapsuleMetrics(provider.GetRequiredService<IMeterFactory>());
        });
        services.AddSingleton<CapsuleGauges>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(CapsuleMetrics.MeterName)
            .AddPrometheusExporter(prometheus =>
            {
                // Each scrape sees the counters as they are now (a scrape at Prometheus's interval needs no cache).
                prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                // target_info would carry a random instance id and the SDK's versions: nothing an operator charts.
                prometheus.TargetInfoEnabled = false;
            }));
        return services;
    }
}
