namespace Capsule.Server.Tests.Validation;

/// <summary>Every 422 rule of <c>POST /v1/sessions/session</c>, checked against FastAPI/pydantic v2's exact shape.</summary>
public sealed class CreateSessionValidationTests
{
    private static async Task<(HttpStatusCode Status, JsonNode? Body)> CreateAsync(CapsuleApp app, string rawBody, CancellationToken ct)
    {
        using var client = app.Client(apiKey: null);
        return await client.PostRawAsync("/v1/sessions/session", rawBody, ct);
    }

    private static string WithKey(CapsuleApp app, string fields) => $$"""{"api_key":"{{app.AdminKey}}",{{fields}}}""";

    [Theory]
    [InlineData("\"memory_mb\":\"abc\"",
        """{"type":"int_parsing","loc":["body","memory_mb"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"abc"}""")]
    [InlineData("\"memory_mb\":512.5",
        """{"type":"int_from_float","loc":["body","memory_mb"],"msg":"Input should be a valid integer, got a number with a fractional part","input":512.5}""")]
    [InlineData("\"memory_mb\":true",
        """{"type":"int_type","loc":["body","memory_mb"],"msg":"Input should be a valid integer","input":true}""")]
    [InlineData("\"memory_mb\":64",
        """{"type":"greater_than_equal","loc":["body","memory_mb"],"msg":"Input should be greater than or equal to 128","input":64,"ctx":{"ge":128}}""")]
    [InlineData("\"memory_mb\":8194",
        """{"type":"less_than_equal","loc":["body","memory_mb"],"msg":"Input should be less than or equal to 8192","input":8194,"ctx":{"le":8192}}""")]
    [InlineData("\"memory_mb\":513",
        """{"type":"value_error","loc":["body","memory_mb"],"msg":"Value error, memory_mb must be even","input":513}""")]
    [InlineData("\"vm_lifetime_seconds\":19",
        """{"type":"greater_than_equal","loc":["body","vm_lifetime_seconds"],"msg":"Input should be greater than or equal to 20","input":19,"ctx":{"ge":20}}""")]
    [InlineData("\"vm_lifetime_seconds\":86401",
        """{"type":"less_than_equal","loc":["body","vm_lifetime_seconds"],"msg":"Input should be less than or equal to 86400","input":86401,"ctx":{"le":86400}}""")]
    [InlineData("\"vm_lifetime_seconds\":\"soon\"",
        """{"type":"int_parsing","loc":["body","vm_lifetime_seconds"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"soon"}""")]
    [InlineData("\"vcpu_count\":3",
        """{"type":"literal_error","loc":["body","vcpu_count"],"msg":"Input should be 1, 2, 4, 6 or 8","input":3,"ctx":{"expected":"1, 2, 4, 6 or 8"}}""")]
    [InlineData("\"vcpu_count\":16",
        """{"type":"literal_error","loc":["body","vcpu_count"],"msg":"Input should be 1, 2, 4, 6 or 8","input":16,"ctx":{"expected":"1, 2, 4, 6 or 8"}}""")]
    [InlineData("\"vcpu_count\":\"two\"",
        """{"type":"int_parsing","loc":["body","vcpu_count"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"two"}""")]
    [InlineData("\"metadata\":[1]",
        """{"type":"dict_type","loc":["body","metadata"],"msg":"Input should be a valid dictionary","input":[1]}""")]
    [InlineData("\"env\":\"A=1\"",
        """{"type":"dict_type","loc":["body","env"],"msg":"Input should be a valid dictionary","input":"A=1"}""")]
    [InlineData("\"env\":{\"OK\":\"yes\",\"NUM\":1}",
        """{"type":"string_type","loc":["body","env","NUM"],"msg":"Input should be a valid string","input":1}""")]
    public async Task Create_InvalidField_Returns422WithPydanticError(string fields, string expectedError)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();

        var (status, body) = await CreateAsync(app, WithKey(app, fields), ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        JsonShape.AssertJson($$"""{"detail":[{{expectedError}}]}""", body);
        Assert.Empty(app.Machines.Started);
    }

    [Fact]
    public async Task Create_ApiKeyNotAString_Returns422StringType()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();

        var (status, body) = await CreateAsync(app, """{"api_key":123}""", ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        JsonShape.AssertJson("""{"detail":[{"type":"string_type","loc":["body","api_key"],"msg":"Input should be a valid string","input":123}]}""", body);
    }

    [Fact]
    public async Task Create_ManyProblems_AllReportedInFieldOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();

        var (status, body) = await CreateAsync(app,
            """{"vm_lifetime_seconds":100000,"memory_mb":100,"vcpu_count":"x","metadata":"m","env":{"A":null}}""", ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var errors = Assert.IsType<JsonArray>(body!["detail"]);
        Assert.Equal(["missing", "less_than_equal", "greater_than_equal", "int_parsing", "dict_type", "string_type"],
            errors.Select(e => (string?)e!["type"]));
        Assert.Equal(["api_key", "vm_lifetime_seconds", "memory_mb", "vcpu_count", "metadata", "env"],
            errors.Select(e => (string?)e!["loc"]![1]));
    }

    [Fact]
    public async Task Create_MalformedJson_Returns422JsonInvalid()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();

        var (status, body) = await CreateAsync(app, """{"api_key": """, ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var error = Assert.Single(Assert.IsType<JsonArray>(body!["detail"]))!;
        Assert.Equal("json_invalid", (string?)error["type"]);
        Assert.Equal("JSON decode error", (string?)error["msg"]);
        Assert.Equal("body", (string?)error["loc"]![0]);
        Assert.Equal(JsonValueKind.Number, error["loc"]![1]!.GetValueKind());
        Assert.Equal("{}", error["input"]!.ToJsonString());
        Assert.Equal(JsonValueKind.String, error["ctx"]!["error"]!.GetValueKind());
    }

    [Fact]
    public async Task Create_EmptyBody_Returns422MissingBody()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();

        var (status, body) = await CreateAsync(app, "", ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        JsonShape.AssertJson("""{"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]}""", body);
    }

    [Fact]
    public async Task Create_BodyNotAnObject_Returns422ModelAttributesType()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();

        var (status, body) = await CreateAsync(app, "[1,2]", ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        JsonShape.AssertJson("""{"detail":[{"type":"model_attributes_type","loc":["body"],"msg":"Input should be a valid dictionary or object to extract fields from","input":[1,2]}]}""", body);
    }

    [Fact]
    public async Task Create_InvalidBodyAndWrongKey_ValidationComesFirst()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();

        var (status, _) = await CreateAsync(app, """{"api_key":"wrong","vcpu_count":3}""", ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
    }

    [Theory]
    [InlineData(20)]
    [InlineData(86400)]
    public async Task Create_LifetimeAtBounds_Accepted(int seconds)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();

        var (status, _) = await CreateAsync(app, WithKey(app, $"\"vm_lifetime_seconds\":{seconds},\"memory_mb\":8192,\"vcpu_count\":8"), ct);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task Create_MemoryBeyondTheConfiguredHotplugRoom_Is422NamingTheLimitNever500()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp(settings: new Dictionary<string, string?> { ["Capsule:Vm:HotplugMemoryMb"] = "4096" });
        using var client = app.Client(app.AdminKey);

        var (tooMuch, body) = await client.PostJsonAsync("/v1/sessions/session",
            new JsonObject { ["api_key"] = app.AdminKey, ["memory_mb"] = 8192 }, ct);
        var (withinLimit, _) = await client.PostJsonAsync("/v1/sessions/session",
            new JsonObject { ["api_key"] = app.AdminKey, ["memory_mb"] = 4224, ["env"] = new JsonObject { ["A"] = "1" } }, ct);
        var (_, openApi) = await client.GetJsonAsync("/openapi.json", ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooMuch);
        JsonShape.AssertJson("""
            {"detail":[{"type":"less_than_equal","loc":["body","memory_mb"],"msg":"Input should be less than or equal to 4224","input":8192,"ctx":{"le":4224}}]}
            """, body);
        Assert.Equal(HttpStatusCode.OK, withinLimit);
        var memory = openApi!["paths"]!["/v1/sessions/session"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!["properties"]!["memory_mb"]!;
        Assert.Equal(4224, (int?)memory["maximum"]);
        Assert.Equal(128, (int?)memory["minimum"]);
    }
}
