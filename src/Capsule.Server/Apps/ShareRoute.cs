namespace Capsule.Server.Apps;

/// <summary>
/// Which share a request on the apps listener is for, and the path the guest sees:
/// 1. Host-name routing (when a domain is configured and the Host is under it): <c>&lt;share id&gt;.&lt;domain&gt;</c>
///    names the share and the path goes to the guest unchanged.
/// 2. Otherwise path routing: <c>/&lt;share id&gt;/rest</c> names the share and the guest sees <c>/rest</c>;
///    <c>/&lt;share id&gt;</c> alone is redirected to <c>/&lt;share id&gt;/</c> so relative links resolve.
/// </summary>
/// <param name="ShareId">The share named (well-formed; whether it exists is the store's business).</param>
/// <param name="GuestPath">The path the guest gets.</param>
/// <param name="CookiePath">The path Capsule's share cookie is scoped to: the share's folder, or <c>/</c> on its own host.</param>
/// <param name="NeedsTrailingSlash">Path routing named the share without the slash after it.</param>
internal sealed record ShareRoute(string ShareId, string GuestPath, string CookiePath, bool NeedsTrailingSlash)
{
    /// <summary>The route for <paramref name="request"/>, or null when it names no well-formed share id.</summary>
    public static ShareRoute? Resolve(HttpRequest request, string? domain)
    {
        var path = request.Path.Value is { Length: > 0 } value ? value : "/";
        if (domain is not null && ShareDomain.IsUnder(request.Host.Value ?? "", domain))
        {
            return ShareDomain.ShareIdFromHost(request.Host.Value!, domain) is { } hostId
                ? new ShareRoute(hostId, path, "/", NeedsTrailingSlash: false)
                : null;
        }

        var rest = path.AsSpan().TrimStart('/');
        var slash = rest.IndexOf('/');
        var shareId = (slash < 0 ? rest : rest[..slash]).ToString();
        if (!ShareIds.IsWellFormed(shareId))
            return null;
        return slash < 0
            ? new ShareRoute(shareId, "/", $"/{shareId}/", NeedsTrailingSlash: true)
            : new ShareRoute(shareId, path[(path.IndexOf(shareId, StringComparison.Ordinal) + shareId.Length)..], $"/{shareId}/", NeedsTrailingSlash: false);
    }
}
