using System.Net.Http.Headers;
using System.Text;

namespace Capsule.Server.Tests.Tenancy;

/// <summary>Where an intruder puts its key.</summary>
public enum KeyPlace
{
    XApiKeyHeader,
    BearerHeader,
    /// <summary><c>api_key</c> in the JSON body or form, with no key header.</summary>
    Body,
}

/// <summary>
/// One endpoint that takes an id of A's, tried by an intruder: it must answer 404 with <see cref="NotFoundDetail"/>.
/// </summary>
/// <param name="Name">Method and route, as listed in docs/api.md.</param>
/// <param name="NotFoundDetail">The 404 detail: the same one an unknown id gets.</param>
/// <param name="TakesBodyKey">The endpoint also reads the key from the body (<c>api_key</c>).</param>
/// <param name="AdminMaySee">Key management: an admin manages every key, so the admin is no intruder here.</param>
/// <param name="Build">The request, given A's world and the key to put in the body (null: none in the body).</param>
internal sealed record TenancyProbe(
    string Name, string NotFoundDetail, bool TakesBodyKey, bool AdminMaySee, Func<TenantWorld, string?, HttpRequestMessage> Build)
{
    public IEnumerable<KeyPlace> Places => TakesBodyKey
        ? [KeyPlace.XApiKeyHeader, KeyPlace.BearerHeader, KeyPlace.Body]
        : [KeyPlace.XApiKeyHeader, KeyPlace.BearerHeader];

    public IEnumerable<Intruder> Intruders => AdminMaySee ? [Intruder.OtherKey] : [Intruder.OtherKey, Intruder.Admin];

    /// <summary>The request with <paramref name="key"/> where <paramref name="place"/> says.</summary>
    public HttpRequestMessage For(TenantWorld world, string key, KeyPlace place)
    {
        var request = Build(world, place == KeyPlace.Body ? key : null);
        if (place == KeyPlace.XApiKeyHeader)
            request.Headers.Add("X-API-Key", key);
        else if (place == KeyPlace.BearerHeader)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    public static HttpRequestMessage Get(string path) => new(HttpMethod.Get, path);

    public static HttpRequestMessage Delete(string path) => new(HttpMethod.Delete, path);

    public static HttpRequestMessage Json(HttpMethod method, string path, JsonObject body, string? bodyKey)
    {
        if (bodyKey is not null)
            body["api_key"] = bodyKey;
        return new HttpRequestMessage(method, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
    }

    public static HttpRequestMessage Form(string path, IEnumerable<(string Name, string Value)> fields, string? bodyKey)
    {
        var all = fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).ToList();
        if (bodyKey is not null)
            all.Add(new("api_key", bodyKey));
        return new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(all) };
    }

    public static HttpRequestMessage Upload(string sessionId, string remotePath, byte[] content, string? bodyKey)
    {
        var fields = new List<(string, string)> { ("remote_path", remotePath), ("session_id", sessionId), ("recursive", "true") };
        if (bodyKey is not null)
            fields.Add(("api_key", bodyKey));
        return new HttpRequestMessage(HttpMethod.Post, "/upload")
        {
            Content = FileHttp.UploadForm(new ByteArrayContent(content), "b.txt", fields),
        };
    }
}

/// <summary>A listing an intruder may call (200), in which none of A's items may appear.</summary>
/// <param name="AdminMaySee">The admin's listing shows every key by design, so the admin is no intruder here.</param>
internal sealed record TenancyListProbe(string Name, bool AdminMaySee, Func<TenantWorld, HttpRequestMessage> Build)
{
    public IEnumerable<Intruder> Intruders => AdminMaySee ? [Intruder.OtherKey] : [Intruder.OtherKey, Intruder.Admin];
}
