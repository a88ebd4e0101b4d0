using Microsoft.Extensions.Options;

namespace Capsule.Server.Apps;

/// <summary>
/// The one rule for the URLs handed out for a share: <c>&lt;scheme&gt;://&lt;share id&gt;.&lt;domain&gt;/</c> when
/// <see cref="SharesOptions.Domain"/> is set (scheme from <see cref="AppsOptions.Url"/>), else
/// <c>&lt;apps url&gt;/&lt;share id&gt;/</c>.
/// </summary>
internal sealed class ShareUrls(IOptions<AppsOptions> apps, IOptions<SharesOptions> shares)
{
    public string For(string shareId) =>
        shares.Value.Domain is { } domain && Uri.TryCreate(apps.Value.Url, UriKind.Absolute, out var appsUrl)
            ? ShareDomain.Url(appsUrl.Scheme, shareId, domain)
            : apps.Value.ShareUrl(shareId);
}
