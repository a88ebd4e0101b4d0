using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Capsule.TestInternet;

/// <summary>
/// HTTP on 80 and 8080 and HTTPS on 443 on every server address. Each answer names the server that gave it, the Host
/// header it got and the TLS server name (SNI) the client sent, so a test can tell where its request really went.
/// <c>/bytes/&lt;n&gt;</c> answers n zero bytes (throughput).
/// </summary>
internal static class WebServers
{
    public const int HttpPort = 80;
    public const int HttpsPort = 443;
    public const int OtherPort = 8080;

    private const string SniKey = "sni";

    public static async Task<WebApplication> StartAsync(IReadOnlyDictionary<string, IPAddress> servers, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var certificate = SelfSigned();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var address in servers.Values)
            {
                kestrel.Listen(address, HttpPort);
                kestrel.Listen(address, OtherPort);
                kestrel.Listen(address, HttpsPort, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    listen.UseHttps(new HttpsConnectionAdapterOptions
                    {
                        // The name the client asked for, kept on the connection for the answer.
                        ServerCertificateSelector = (connection, name) =>
                        {
                            if (connection is not null)
                                connection.Items[SniKey] = name ?? "";
                            return certificate;
                        },
                    });
                });
            }
        });
        var app = builder.Build();
        var names = servers.ToDictionary(s => s.Value, s => s.Key);
        app.MapGet("/bytes/{count:long}", async (long count, HttpContext context) =>
        {
            context.Response.ContentLength = count;
            var chunk = new byte[64 * 1024];
            for (var left = count; left > 0; left -= chunk.Length)
                await context.Response.Body.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, left)), context.RequestAborted);
        });
        app.MapFallback((HttpContext context) =>
        {
            var local = context.Connection.LocalIpAddress?.MapToIPv4();
            var server = local is not null && names.TryGetValue(local, out var name) ? name : "?";
            var sni = context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(SniKey, out var value) == true ? value as string : null;
            return Results.Text(
                $"server={server} host={context.Request.Host.Host} sni={(string.IsNullOrEmpty(sni) ? "-" : sni)} port={context.Connection.LocalPort}\n");
        });
        await app.StartAsync(cancellationToken);
        return app;
    }

    /// <summary>Any certificate does: clients use -k; what matters is the server name they send.</summary>
    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=test-internet", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("*.test");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
