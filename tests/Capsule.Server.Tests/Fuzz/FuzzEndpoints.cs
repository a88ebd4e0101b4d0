using System.Globalization;
using System.Text;

namespace Capsule.Server.Tests.Fuzz;

/// <summary>
/// One generator per endpoint (every route of docs/api.md, plus unknown routes and wrong methods). Each makes a request
/// around a valid one, so that validation and the handlers behind it are reached, then breaks it with
/// <see cref="JsonBodies"/>, <see cref="FuzzValues"/> or <see cref="FuzzForms"/>.
/// </summary>
internal static class FuzzEndpoints
{
    public delegate FuzzRequest Generator(FuzzContext context, FuzzValues values);

    public static readonly IReadOnlyList<(string Name, Generator Make)> All =
    [
        ("POST /v1/sessions/session", CreateSession),
        ("GET /v1/sessions/session/{id}", (c, v) => Get(c, v, "GET /v1/sessions/session/{id}", "/v1/sessions/session/" + FuzzContext.PathId(v, c.SessionIds))),
        ("GET /v1/sessions/status/{id}", (c, v) => Get(c, v, "GET /v1/sessions/status/{id}", "/v1/sessions/status/" + FuzzContext.PathId(v, c.SessionIds))),
        ("GET /v1/sessions/usage/{id}", (c, v) => Get(c, v, "GET /v1/sessions/usage/{id}", "/v1/sessions/usage/" + FuzzContext.PathId(v, c.SessionIds))),
        ("POST /v1/sessions/{id}/extend", (c, v) => Json(c, v, "POST /v1/sessions/{id}/extend", "POST",
            $"/v1/sessions/{FuzzContext.PathId(v, c.SessionIds)}/extend", [("vm_lifetime_seconds", Number(v, "20", "600", "86400"))])),
        ("POST /kill", (c, v) => Json(c, v, "POST /kill", "POST", "/kill", [("session_id", SessionId(c, v))])),
        ("POST /execute", (c, v) => Json(c, v, "POST /execute", "POST", "/execute", Command(c, v))),
        ("POST /execute_async", (c, v) => Json(c, v, "POST /execute_async", "POST", "/execute_async", Command(c, v))),
        ("POST /v1/execute/stream", (c, v) => Json(c, v, "POST /v1/execute/stream", "POST", "/v1/execute/stream",
            [.. Command(c, v), ("detach", v.Pick(new[] { "true", "false", "\"yes\"", "2", "null" }))])),
        ("GET /v1/executions/{task_id}", (c, v) => Get(c, v, "GET /v1/executions/{task_id}", "/v1/executions/" + FuzzContext.PathId(v, c.TaskIds))),
        ("GET /v1/executions/", (c, v) => Get(c, v, "GET /v1/executions/", "/v1/executions/" + Query(v, "limit", "offset"))),
        ("GET /v1/sessions/sandboxes", Sandboxes),
        ("POST /upload", FuzzForms.Upload),
        ("POST /download", FuzzForms.Download),
        ("POST /v1/api-keys/", (c, v) => Json(c, v, "POST /v1/api-keys/", "POST", "/v1/api-keys/",
            [("description", FuzzValues.Quote("fuzz")), ("is_admin", "false")], preferAdmin: true)),
        ("GET /v1/api-keys/", (c, v) => Get(c, v, "GET /v1/api-keys/", "/v1/api-keys/", preferAdmin: v.Chance(0.5))),
        ("GET /v1/api-keys/{key_id}", (c, v) => Get(c, v, "GET /v1/api-keys/{key_id}", "/v1/api-keys/" + FuzzContext.PathId(v, [c.KeyId, c.AdminKeyId]))),
        ("PATCH /v1/api-keys/{key_id}", (c, v) => Json(c, v, "PATCH /v1/api-keys/{key_id}", "PATCH",
            "/v1/api-keys/" + FuzzContext.PathId(v, [c.KeyId]), [("description", v.Chance(0.5) ? FuzzValues.Quote("renamed") : v.RawJson())])),
        // Throwaway keys (revoked once, then idempotently) or ids of nothing: never the run's own key or the admin's,
        // which the rest of the run needs (the fuzz may have made a second admin, so the admin's could really go).
        ("DELETE /v1/api-keys/{key_id}", (c, v) => Get(c, v, "DELETE /v1/api-keys/{key_id}",
            "/v1/api-keys/" + FuzzContext.PathId(v, c.ThrowawayKeyIds), preferAdmin: v.Chance(0.7), method: "DELETE")),
        ("GET /health, /openapi.json, /docs", Documents),
        ("unknown routes and wrong methods", WrongRoutes),
    ];

    private static FuzzRequest CreateSession(FuzzContext c, FuzzValues v)
    {
        var fields = new List<(string, string)>
        {
            ("api_key", v.Chance(0.92) ? FuzzValues.Quote(c.Key) : v.RawJson()),
            ("vm_lifetime_seconds", Number(v, "20", "300", "86400")),
            ("memory_mb", Number(v, "128", "512", "8192")),
            ("vcpu_count", Number(v, "1", "2", "8")),
        };
        if (v.Chance(0.5))
            fields.Add(("metadata", v.Chance(0.6) ? "{\"fuzz\":" + v.RawJson() + "}" : v.RawJson()));
        if (v.Chance(0.2))
            fields.Add(("env", v.Chance(0.6) ? "{\"FUZZ\":" + FuzzValues.Quote(v.Text()) + "}" : "{\"X\":" + v.RawJson() + "}"));
        var (body, contentType, chunked) = JsonBodies.Make(v, fields, c.BodyLimit);
        return new FuzzRequest("POST /v1/sessions/session", "POST", "/v1/sessions/session", body, contentType, FuzzHeaders.None, chunked);
    }

    private static FuzzRequest Sandboxes(FuzzContext c, FuzzValues v)
    {
        var query = new List<string>();
        if (v.Chance(0.7))
        {
            query.Add("metadata=" + (v.Random.Next(3) switch
            {
                0 => Uri.EscapeDataString("{\"fuzz\":" + v.RawJson() + "}"),
                1 => Uri.EscapeDataString(v.RawJson()),
                _ => v.QueryValue(),
            }));
        }
        if (v.Chance(0.2))
            query.Add("metadata=" + v.QueryValue());
        if (v.Chance(0.5))
            query.Add("limit=" + v.QueryValue());
        return Get(c, v, "GET /v1/sessions/sandboxes", "/v1/sessions/sandboxes" + (query.Count > 0 ? "?" + string.Join("&", query) : ""));
    }

    private static FuzzRequest Documents(FuzzContext c, FuzzValues v)
    {
        var path = v.Pick(new[] { "/health", "/openapi.json", "/docs", "/docs/", "/health?x=" + v.QueryValue() });
        return Get(c, v, "GET /health, /openapi.json, /docs", path, method: v.Chance(0.8) ? "GET" : v.Pick(new[] { "POST", "PUT", "DELETE" }));
    }

    private static FuzzRequest WrongRoutes(FuzzContext c, FuzzValues v)
    {
        var path = v.Pick(new[]
        {
            "/execute", "/kill", "/upload", "/download", "/v1/sessions/session", "/v1/executions/", "/v1/api-keys/",
            "/v1/sessions/" + v.Segment(v.Id()), "/v1/" + v.Segment(v.Text()), "/" + v.Segment(v.Text()), "/v1/sessions/session/",
            "//execute", "/EXECUTE", "/execute/", "/v1/executions", "/v1/api-keys",
        });
        var method = v.Pick(new[] { "GET", "PUT", "DELETE", "PATCH", "OPTIONS", "POST", "FUZZ" });
        var (headers, _) = c.PickKey(v);
        var body = v.Chance(0.5) ? Encoding.UTF8.GetBytes(v.RawJson()) : null;
        return new FuzzRequest("unknown routes and wrong methods", method, path, body, body is null ? null : "application/json", headers);
    }

    private static FuzzRequest Get(FuzzContext c, FuzzValues v, string endpoint, string path, bool preferAdmin = false, string method = "GET")
    {
        var (headers, _) = c.PickKey(v, preferAdmin);
        return new FuzzRequest(endpoint, method, path, null, null, headers);
    }

    private static FuzzRequest Json(FuzzContext c, FuzzValues v, string endpoint, string method, string path,
        IReadOnlyList<(string, string)> fields, bool preferAdmin = false)
    {
        var (headers, bodyKey) = c.PickKey(v, preferAdmin);
        var all = fields.ToList();
        if (bodyKey is not null)
            all.Insert(v.Random.Next(all.Count + 1), ("api_key", FuzzValues.Quote(bodyKey)));
        var (body, contentType, chunked) = JsonBodies.Make(v, all, c.BodyLimit);
        return new FuzzRequest(endpoint, method, path, body, contentType, headers, chunked);
    }

    private static List<(string, string)> Command(FuzzContext c, FuzzValues v)
    {
        var fields = new List<(string, string)>
        {
            (v.Chance(0.8) ? "command" : "code", FuzzValues.Quote(v.Chance(0.6) ? "print(" + v.Random.Next(100).ToString(CultureInfo.InvariantCulture) + ")" : v.Text())),
            ("session_id", SessionId(c, v)),
        };
        if (v.Chance(0.5))
            fields.Add(("language", v.Chance(0.7) ? FuzzValues.Quote(v.Pick(new[] { "python", "bash" })) : v.RawJson()));
        if (v.Chance(0.5))
            fields.Add(("timeout", Number(v, "1", "60", "600")));
        return fields;
    }

    private static string SessionId(FuzzContext c, FuzzValues v) =>
        v.Chance(0.7) ? FuzzValues.Quote(v.Pick(c.SessionIds)) : v.Chance(0.5) ? FuzzValues.Quote(v.Id()) : v.RawJson();

    /// <summary>A valid number most of the time, else a hostile JSON value.</summary>
    private static string Number(FuzzValues v, params string[] valid) => v.Chance(0.6) ? v.Pick(valid) : v.RawJson();

    private static string Query(FuzzValues v, params string[] names)
    {
        var parts = names.Where(_ => v.Chance(0.6)).Select(name => name + "=" + v.QueryValue()).ToList();
        if (v.Chance(0.1) && parts.Count > 0)
            parts.Add(parts[0]);
        return parts.Count == 0 ? "" : "?" + string.Join("&", parts);
    }
}
