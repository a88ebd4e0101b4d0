using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json.Nodes;

namespace Capsule.Server.Api.OpenApi;

/// <summary>
/// Renders an OpenAPI document as one self-contained HTML page (inline CSS, no script, nothing fetched): every
/// operation with its parameters, request body and responses, schemas expanded into field tables.
/// </summary>
internal static class DocsPage
{
    private const int MaxSchemaDepth = 4;
    private static readonly string[] Methods = ["get", "post", "put", "patch", "delete"];
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    public static string Render(string openApiJson)
    {
        var document = JsonNode.Parse(openApiJson)!.AsObject();
        var schemas = document["components"]?["schemas"]?.AsObject();
        var page = new StringBuilder();
        var title = Text(document["info"]?["title"]) ?? "API";
        page.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(Html.Encode(title)).Append(" API</title><style>").Append(Style).Append("</style></head><body>");
        page.Append("<h1>").Append(Html.Encode(title)).Append(" API <small>").Append(Html.Encode(Text(document["info"]?["version"]) ?? ""))
            .Append("</small></h1><p>").Append(Html.Encode(Text(document["info"]?["description"]) ?? "")).Append("</p>");
        page.Append("<p>Machine-readable: <a href=\"/openapi.json\">/openapi.json</a>.</p>");

        var operations = Operations(document).ToList();
        page.Append("<nav><h2>Endpoints</h2><ul>");
        foreach (var (path, method, operation) in operations)
        {
            page.Append("<li><a href=\"#").Append(Anchor(method, path)).Append("\"><span class=\"m ").Append(method).Append("\">")
                .Append(method.ToUpperInvariant()).Append("</span> <code>").Append(Html.Encode(path)).Append("</code></a> ")
                .Append(Html.Encode(Text(operation["summary"]) ?? "")).Append("</li>");
        }
        page.Append("</ul></nav>");

        foreach (var (path, method, operation) in operations)
            RenderOperation(page, path, method, operation, schemas);
        page.Append("</body></html>");
        return page.ToString();
    }

    private static IEnumerable<(string Path, string Method, JsonObject Operation)> Operations(JsonObject document)
    {
        foreach (var (path, item) in document["paths"]?.AsObject() ?? [])
        {
            foreach (var method in Methods)
            {
                if (item?[method] is JsonObject operation)
                    yield return (path, method, operation);
            }
        }
    }

    private static void RenderOperation(StringBuilder page, string path, string method, JsonObject operation, JsonObject? schemas)
    {
        page.Append("<section id=\"").Append(Anchor(method, path)).Append("\"><h2><span class=\"m ").Append(method).Append("\">")
            .Append(method.ToUpperInvariant()).Append("</span> <code>").Append(Html.Encode(path)).Append("</code></h2>");
        AppendParagraph(page, Text(operation["summary"]));
        AppendParagraph(page, Text(operation["description"]));
        page.Append("<p class=\"auth\">").Append(Html.Encode(AuthText(operation))).Append("</p>");

        if (operation["parameters"] is JsonArray parameters && parameters.Count > 0)
        {
            page.Append("<h3>Parameters</h3><table><tr><th>Name</th><th>In</th><th>Type</th><th>Required</th><th>Description</th></tr>");
            foreach (var parameter in parameters.OfType<JsonObject>())
            {
                page.Append("<tr><td><code>").Append(Html.Encode(Text(parameter["name"]) ?? "")).Append("</code></td><td>")
                    .Append(Html.Encode(Text(parameter["in"]) ?? "")).Append("</td><td>")
                    .Append(Html.Encode(TypeName(parameter["schema"], schemas))).Append("</td><td>")
                    .Append(parameter["required"]?.GetValue<bool>() == true ? "yes" : "no").Append("</td><td>")
                    .Append(Html.Encode(Text(parameter["description"]) ?? "")).Append("</td></tr>");
            }
            page.Append("</table>");
        }

        if (operation["requestBody"]?["content"] is JsonObject requestContent)
        {
            page.Append("<h3>Request body</h3>");
            foreach (var (contentType, media) in requestContent)
            {
                page.Append("<p><code>").Append(Html.Encode(contentType)).Append("</code></p>");
                RenderSchema(page, media?["schema"], schemas, 0);
            }
        }

        page.Append("<h3>Responses</h3>");
        foreach (var (status, response) in operation["responses"]?.AsObject() ?? [])
        {
            page.Append("<h4>").Append(Html.Encode(status)).Append(' ').Append(Html.Encode(Text(response?["description"]) ?? "")).Append("</h4>");
            foreach (var (contentType, media) in response?["content"]?.AsObject() ?? [])
            {
                page.Append("<p><code>").Append(Html.Encode(contentType)).Append("</code></p>");
                RenderSchema(page, media?["schema"], schemas, 0);
            }
        }
        page.Append("</section>");
    }

    /// <summary>An object schema as a table of its fields (nested objects expanded); anything else as its type.</summary>
    private static void RenderSchema(StringBuilder page, JsonNode? schema, JsonObject? schemas, int depth)
    {
        var resolved = Resolve(schema, schemas);
        if (resolved?["type"] is JsonValue type && Text(type) == "array")
        {
            page.Append("<p>An array of:</p>");
            RenderSchema(page, resolved["items"], schemas, depth + 1);
            return;
        }
        if (resolved?["properties"] is not JsonObject properties || depth > MaxSchemaDepth)
        {
            page.Append("<p class=\"type\">").Append(Html.Encode(TypeName(schema, schemas))).Append("</p>");
            return;
        }
        var required = (resolved["required"] as JsonArray)?.Select(Text).ToHashSet(StringComparer.Ordinal) ?? [];
        page.Append("<table><tr><th>Field</th><th>Type</th><th>Required</th><th>Description</th></tr>");
        foreach (var (name, property) in properties)
        {
            var field = Resolve(property, schemas);
            page.Append("<tr><td><code>").Append(Html.Encode(name)).Append("</code></td><td>")
                .Append(Html.Encode(TypeName(property, schemas))).Append("</td><td>")
                .Append(required.Contains(name) ? "yes" : "no").Append("</td><td>")
                .Append(Html.Encode(Describe(field)));
            if (field?["properties"] is JsonObject || field?["items"] is JsonObject { } items && Resolve(items, schemas)?["properties"] is JsonObject)
                RenderSchema(page, property, schemas, depth + 1);
            page.Append("</td></tr>");
        }
        page.Append("</table>");
    }

    private static JsonObject? Resolve(JsonNode? schema, JsonObject? schemas)
    {
        if (schema is not JsonObject obj)
            return null;
        if (Text(obj["$ref"]) is { } reference && reference.StartsWith("#/components/schemas/", StringComparison.Ordinal))
            return schemas?[reference["#/components/schemas/".Length..]] as JsonObject;
        return obj;
    }

    private static string TypeName(JsonNode? schema, JsonObject? schemas)
    {
        if (schema is JsonObject obj && Text(obj["$ref"]) is { } reference)
            return reference[(reference.LastIndexOf('/') + 1)..];
        var resolved = Resolve(schema, schemas);
        if (resolved is null)
            return "any";
        var types = resolved["type"] switch
        {
            JsonArray many => string.Join(" | ", many.Select(Text)),
            JsonValue one => Text(one) ?? "any",
            _ => resolved["oneOf"] is JsonArray || resolved["anyOf"] is JsonArray ? "one of several" : "any",
        };
        if (types.Contains("array", StringComparison.Ordinal))
            types += $" of {TypeName(resolved["items"], schemas)}";
        return Text(resolved["format"]) is { } format ? $"{types} ({format})" : types;
    }

    private static string Describe(JsonObject? field)
    {
        if (field is null)
            return "";
        var parts = new List<string>();
        if (Text(field["description"]) is { } description)
            parts.Add(description);
        if (field["enum"] is JsonArray values)
            parts.Add("One of: " + string.Join(", ", values.Select(v => v?.ToJsonString())));
        if (field["minimum"] is { } minimum)
            parts.Add($"Minimum {minimum.ToJsonString()}.");
        if (field["maximum"] is { } maximum)
            parts.Add($"Maximum {maximum.ToJsonString()}.");
        if (field["maxLength"] is { } maxLength)
            parts.Add($"At most {maxLength.ToJsonString()} characters.");
        if (field["default"] is { } defaultValue)
            parts.Add($"Default {defaultValue.ToJsonString()}.");
        return string.Join(" ", parts);
    }

    private static string AuthText(JsonObject operation) => operation["security"] switch
    {
        JsonArray { Count: > 0 } security when security.Any(s => s is JsonObject { Count: 0 }) =>
            "API key optional (X-API-Key or Authorization: Bearer).",
        JsonArray { Count: > 0 } => "Requires an API key: X-API-Key, Authorization: Bearer, or api_key in the body.",
        _ => "No API key needed.",
    };

    private static void AppendParagraph(StringBuilder page, string? text)
    {
        if (!string.IsNullOrEmpty(text))
            page.Append("<p>").Append(Html.Encode(text)).Append("</p>");
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static string Anchor(string method, string path) =>
        method + "-" + new string([.. path.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]);

    private const string Style = """
        body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
        h1 small{font-size:.5em;color:#666}section{border-top:1px solid #ddd;margin-top:2rem}
        code{font-family:ui-monospace,monospace;background:#f4f4f6;padding:0 .25em;border-radius:3px}
        table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
        th{background:#f4f4f6}.m{display:inline-block;min-width:4.2em;text-align:center;border-radius:3px;color:#fff;font-size:.8em;padding:0 .3em}
        .get{background:#2f7d32}.post{background:#1565c0}.patch{background:#8e5a00}.delete{background:#b3261e}.put{background:#6a1b9a}
        .auth{color:#555;font-style:italic}nav ul{list-style:none;padding:0}nav li{margin:.15rem 0}
        """;
}
