namespace Capsule.Server.Tests.Infrastructure;

/// <summary>Asserts a JSON object has exactly the given keys, each of the given JSON kind.</summary>
internal static class JsonShape
{
    public static void AssertExactly(JsonNode? node, params (string Key, JsonValueKind Kind)[] fields)
    {
        var obj = Assert.IsType<JsonObject>(node);
        Assert.Equal(fields.Select(f => f.Key).Order(StringComparer.Ordinal), obj.Select(p => p.Key).Order(StringComparer.Ordinal));
        foreach (var (key, kind) in fields)
        {
            var actual = obj[key] is { } value ? value.GetValueKind() : JsonValueKind.Null;
            Assert.True(kind == actual, $"{key}: expected {kind}, got {actual} in {obj.ToJsonString()}");
        }
    }

    /// <summary>A JSON number written as a float (with a fractional part), as Python would write it.</summary>
    public static void AssertFloat(JsonNode? node, string key)
    {
        var value = Assert.IsAssignableFrom<JsonValue>(node![key]);
        Assert.Equal(JsonValueKind.Number, value.GetValueKind());
        Assert.Contains(".", value.ToJsonString(), StringComparison.Ordinal);
    }

    /// <summary>Same JSON (keys, order-insensitive objects, values) whatever the escaping.</summary>
    public static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}\n  actual {actual?.ToJsonString()}");
}
