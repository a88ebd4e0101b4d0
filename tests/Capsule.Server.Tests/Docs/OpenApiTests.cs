using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Capsule.Server.Tests.Docs;

public sealed partial class OpenApiTests
{
    private static async Task<JsonObject> DocumentAsync(HttpClient client, CancellationToken ct)
    {
        var (status, body) = await client.GetJsonAsync("/openapi.json", ct);
        Assert.Equal(HttpStatusCode.OK, status);
        return body!.AsObject();
    }

    /// <summary>The schema of a response or body, following a $ref into components.</summary>
    private static JsonObject Schema(JsonObject document, JsonNode? schema)
    {
        var obj = Assert.IsType<JsonObject>(schema);
        if ((string?)obj["$ref"] is { } reference)
            return document["components"]!["schemas"]![reference.Split('/')[^1]]!.AsObject();
        return obj;
    }

    private static List<string> PropertiesOf(JsonObject document, JsonNode? schema) =>
        [.. Schema(document, schema)["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal)];

    private static List<string> ResponseKeys(JsonObject document, string path, string method, string status = "200")
    {
        var content = document["paths"]![path]![method]!["responses"]![status]!["content"]!["application/json"]!["schema"];
        var schema = Schema(document, content);
        if ((string?)schema["type"] is "array" || schema["type"] is JsonArray types && types.Any(t => (string?)t == "array"))
            schema = Schema(document, schema["items"]);
        return PropertiesOf(document, schema);
    }

    private static List<string> KeysOf(JsonNode? node) => [.. node!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Document_EveryMappedRouteAndMethodAppears()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(apiKey: null);
        var document = await DocumentAsync(client, ct);

        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods
                .Select(m => ("/" + e.RoutePattern.RawText!.Trim('/'), m.ToLowerInvariant())))
            .ToList();

        Assert.True(routes.Count >= 21, $"only {routes.Count} routes mapped");
        foreach (var (path, method) in routes)
            Assert.True(document["paths"]?[path]?[method] is JsonObject, $"{method.ToUpperInvariant()} {path} is missing from /openapi.json");
        Assert.Contains(routes, r => r == ("/v1/sessions/sandboxes", "get"));
        Assert.Contains(routes, r => r == ("/v1/api-keys", "post"));
    }

    [Fact]
    public async Task Document_ResponseSchemasHaveTheKeysTheEndpointsReallySend()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var document = await DocumentAsync(client, ct);
        var (_, created) = await client.PostJsonAsync("/v1/sessions/session", new JsonObject { ["api_key"] = app.AdminKey }, ct);
        var sessionId = (string)created!["session_id"]!;
        var execute = await client.ExecuteOkAsync(sessionId, "1", ct);
        var (_, queued) = await client.PostJsonAsync("/execute_async", new JsonObject { ["command"] = "1", ["session_id"] = sessionId }, ct);
        var execution = await client.WaitForExecutionAsync((string)queued!["task_id"]!, ct);
        var (_, executions) = await client.GetJsonAsync("/v1/executions/", ct);
        var (_, info) = await client.GetJsonAsync($"/v1/sessions/session/{sessionId}", ct);
        var status = await client.StatusOkAsync(sessionId, ct);
        var (_, usage) = await client.GetJsonAsync($"/v1/sessions/usage/{sessionId}", ct);
        var (_, sandboxes) = await client.GetJsonAsync("/v1/sessions/sandboxes", ct);
        var (_, upload) = await client.UploadBytesAsync(sessionId, "/app/x", [1, 2], ct);
        var (_, download) = await client.DownloadJsonAsync(sessionId, "/app/x", ct);
        var (_, newKey) = await client.PostJsonAsync("/v1/api-keys/", new JsonObject(), ct);
        var (_, keys) = await client.GetJsonAsync("/v1/api-keys/", ct);
        var (_, health) = await client.GetJsonAsync("/health", ct);
        var (_, killed) = await client.PostJsonAsync("/kill", new JsonObject { ["session_id"] = sessionId }, ct);
        var (_, notFound) = await client.GetJsonAsync("/v1/executions/nope", ct);
        var (_, invalid) = await client.PostJsonAsync("/execute", new JsonObject(), ct);

        Assert.Equal(KeysOf(created), ResponseKeys(document, "/v1/sessions/session", "post"));
        Assert.Equal(KeysOf(execute), ResponseKeys(document, "/execute", "post"));
        Assert.Equal(KeysOf(queued), ResponseKeys(document, "/execute_async", "post"));
        Assert.Equal(KeysOf(execution), ResponseKeys(document, "/v1/executions/{task_id}", "get"));
        Assert.Equal(KeysOf(executions), ResponseKeys(document, "/v1/executions", "get"));
        Assert.Equal(KeysOf(info), ResponseKeys(document, "/v1/sessions/session/{session_id}", "get"));
        Assert.Equal(KeysOf(status), ResponseKeys(document, "/v1/sessions/status/{session_id}", "get"));
        Assert.Equal(KeysOf(status), ResponseKeys(document, "/v1/sessions/{session_id}/extend", "post"));
        Assert.Equal(KeysOf(usage), ResponseKeys(document, "/v1/sessions/usage/{session_id}", "get"));
        Assert.Equal(KeysOf(sandboxes![0]), ResponseKeys(document, "/v1/sessions/sandboxes", "get"));
        Assert.Equal(KeysOf(upload), ResponseKeys(document, "/upload", "post"));
        Assert.Equal(KeysOf(download), ResponseKeys(document, "/download", "post"));
        Assert.Equal(KeysOf(newKey), ResponseKeys(document, "/v1/api-keys", "post", "201"));
        Assert.Equal(KeysOf(keys![0]), ResponseKeys(document, "/v1/api-keys", "get"));
        Assert.Equal(KeysOf(keys[0]), ResponseKeys(document, "/v1/api-keys/{key_id}", "get"));
        Assert.Equal(KeysOf(health), ResponseKeys(document, "/health", "get"));
        Assert.Equal(KeysOf(killed), ResponseKeys(document, "/kill", "post"));
        Assert.Equal(KeysOf(notFound), ResponseKeys(document, "/v1/executions/{task_id}", "get", "404"));
        Assert.Equal(KeysOf(invalid), ResponseKeys(document, "/execute", "post", "422"));
        Assert.Equal(KeysOf(invalid!["detail"]![0]).Where(k => k != "ctx"),
            PropertiesOf(document, Schema(document, Schema(document, document["components"]!["schemas"]!["ValidationErrorResponse"])["properties"]!["detail"])["items"]).Where(k => k != "ctx"));
    }

    [Theory]
    [InlineData("/v1/sessions/session", "post", "application/json", "api_key")]
    [InlineData("/kill", "post", "application/json", "session_id")]
    [InlineData("/v1/sessions/{session_id}/extend", "post", "application/json", "vm_lifetime_seconds")]
    [InlineData("/v1/api-keys/{key_id}", "patch", "application/json", "description")]
    [InlineData("/upload", "post", "multipart/form-data", "file,remote_path,session_id")]
    [InlineData("/download", "post", "application/x-www-form-urlencoded", "filename,session_id")]
    public async Task Document_RequestBodies_RequiredFieldsAreWhatThe422sAskFor(string path, string method, string contentType, string required)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var document = await DocumentAsync(client, ct);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()),
            path.Replace("{session_id}", sessionId, StringComparison.Ordinal).Replace("{key_id}", "key_x", StringComparison.Ordinal))
        {
            Content = contentType switch
            {
                "multipart/form-data" => new MultipartFormDataContent { { new StringContent("x"), "unrelated" } },
                "application/x-www-form-urlencoded" => new FormUrlEncodedContent([new("unrelated", "x")]),
                _ => new StringContent("{}", Encoding.UTF8, "application/json"),
            },
        };

        var (status, text) = await client.SendRawAsync(request, ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var missing = JsonNode.Parse(text)!["detail"]!.AsArray().Where(e => (string?)e!["type"] == "missing").Select(e => (string)e!["loc"]![1]!);
        var schema = Schema(document, document["paths"]![path]![method]!["requestBody"]!["content"]![contentType]!["schema"]);
        Assert.Equal(required.Split(','), schema["required"]!.AsArray().Select(r => (string)r!));
        Assert.Equal(required.Split(','), missing);
    }

    [Fact]
    public async Task Document_CommandRequestDescribesEveryFieldTheParserReads()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(apiKey: null);
        var document = await DocumentAsync(client, ct);

        var execute = document["paths"]!["/execute"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"];
        var stream = document["paths"]!["/v1/execute/stream"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"];

        Assert.Equal(["api_key", "code", "command", "language", "session_id", "timeout", "vault_ids"], PropertiesOf(document, execute));
        Assert.Equal(["api_key", "code", "command", "detach", "language", "session_id", "timeout", "vault_ids"], PropertiesOf(document, stream));
        var timeout = Schema(document, execute)["properties"]!["timeout"]!;
        Assert.Equal(1, (int)timeout["minimum"]!);
        Assert.Equal(600, (int)timeout["maximum"]!);
        Assert.Equal(60, (int)timeout["default"]!);
    }

    [Fact]
    public async Task Document_AuthSchemes_HealthNeedsNoKey_UsageKeyOptional()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(apiKey: null);
        var document = await DocumentAsync(client, ct);

        var schemes = document["components"]!["securitySchemes"]!;
        Assert.Equal("X-API-Key", (string?)schemes["ApiKeyHeader"]!["name"]);
        Assert.Equal("bearer", (string?)schemes["Bearer"]!["scheme"]);
        Assert.Null(document["paths"]!["/health"]!["get"]!["security"]);
        Assert.Contains(document["paths"]!["/v1/sessions/usage/{session_id}"]!["get"]!["security"]!.AsArray(), s => s!.AsObject().Count == 0);
        Assert.DoesNotContain(document["paths"]!["/execute"]!["post"]!["security"]!.AsArray(), s => s!.AsObject().Count == 0);
    }

    [Fact]
    public async Task Docs_SelfContainedPageListingEveryOperation()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(apiKey: null);
        var document = await DocumentAsync(client, ct);

        using var response = await client.GetAsync(new Uri("/docs", UriKind.Relative), ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
        var html = await response.Content.ReadAsStringAsync(ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, _) in item!.AsObject())
                Assert.Contains($"{method.ToUpperInvariant()}</span> <code>{System.Net.WebUtility.HtmlEncode(path)}</code>", html, StringComparison.Ordinal);
        }
        Assert.Contains("<code>remote_path</code>", html, StringComparison.Ordinal);
        Assert.Contains("<code>serialized_stdout</code>", html, StringComparison.Ordinal);
        // Nothing is fetched from anywhere: no scripts, stylesheets, images or external links.
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.All(HrefPattern().Matches(html), m => Assert.Matches("^[#/]", m.Groups[1].Value));
    }

    [Fact]
    public async Task DocumentedContentTypes_DoNotRestrictWhatIsAccepted()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/execute")
        {
            Content = new StringContent(new JsonObject { ["command"] = "1", ["session_id"] = sessionId }.ToJsonString(), Encoding.UTF8, "text/plain"),
        };

        var (status, _) = await client.SendRawAsync(request, ct);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [GeneratedRegex("href=\"([^\"]*)\"")]
    private static partial Regex HrefPattern();
}
