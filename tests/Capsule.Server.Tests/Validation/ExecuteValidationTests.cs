namespace Capsule.Server.Tests.Validation;

/// <summary>Every 422 rule of <c>POST /execute</c> (InstaVM's <c>CommandRequest</c>).</summary>
public sealed class ExecuteValidationTests
{
    private static async Task<(HttpStatusCode Status, JsonNode? Body)> ExecuteAsync(CapsuleApp app, string rawBody, CancellationToken ct)
    {
        using var client = app.Client(app.AdminKey);
        return await client.PostRawAsync("/execute", rawBody, ct);
    }

    [Fact]
    public async Task Execute_EmptyObject_ReportsCommandAndSessionIdMissing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();

        var (status, body) = await ExecuteAsync(app, "{}", ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        JsonShape.AssertJson(
            """{"detail":[{"type":"missing","loc":["body","command"],"msg":"Field required","input":{}},{"type":"missing","loc":["body","session_id"],"msg":"Field required","input":{}}]}""", body);
    }

    [Theory]
    [InlineData("\"language\":\"ruby\"",
        """{"type":"literal_error","loc":["body","language"],"msg":"Input should be 'python' or 'bash'","input":"ruby","ctx":{"expected":"'python' or 'bash'"}}""")]
    [InlineData("\"language\":1",
        """{"type":"literal_error","loc":["body","language"],"msg":"Input should be 'python' or 'bash'","input":1,"ctx":{"expected":"'python' or 'bash'"}}""")]
    [InlineData("\"timeout\":0",
        """{"type":"greater_than_equal","loc":["body","timeout"],"msg":"Input should be greater than or equal to 1","input":0,"ctx":{"ge":1}}""")]
    [InlineData("\"timeout\":601",
        """{"type":"less_than_equal","loc":["body","timeout"],"msg":"Input should be less than or equal to 600","input":601,"ctx":{"le":600}}""")]
    [InlineData("\"timeout\":\"abc\"",
        """{"type":"int_parsing","loc":["body","timeout"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"abc"}""")]
    [InlineData("\"timeout\":1.5",
        """{"type":"int_from_float","loc":["body","timeout"],"msg":"Input should be a valid integer, got a number with a fractional part","input":1.5}""")]
    [InlineData("\"api_key\":[]",
        """{"type":"string_type","loc":["body","api_key"],"msg":"Input should be a valid string","input":[]}""")]
    public async Task Execute_InvalidField_Returns422WithPydanticError(string field, string expectedError)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        var sessionId = Guid.NewGuid();

        var (status, body) = await ExecuteAsync(app, $$"""{"command":"print(1)","session_id":"{{sessionId}}",{{field}}}""", ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        JsonShape.AssertJson($$"""{"detail":[{{expectedError}}]}""", body);
    }

    [Fact]
    public async Task Execute_CommandNotAString_Returns422StringTypeOnly()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();

        var (status, body) = await ExecuteAsync(app, $$"""{"command":5,"session_id":"{{Guid.NewGuid()}}"}""", ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        JsonShape.AssertJson("""{"detail":[{"type":"string_type","loc":["body","command"],"msg":"Input should be a valid string","input":5}]}""", body);
    }

    [Fact]
    public async Task Execute_SessionIdMissing_Returns422EvenWithValidKey()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();

        var (status, body) = await ExecuteAsync(app, """{"command":"print(1)"}""", ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        JsonShape.AssertJson("""{"detail":[{"type":"missing","loc":["body","session_id"],"msg":"Field required","input":{"command":"print(1)"}}]}""", body);
    }

    [Fact]
    public async Task Execute_NullLanguageAndTimeout_UseDefaults()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var (status, _) = await client.PostRawAsync("/execute",
            $$"""{"command":"print(1)","session_id":"{{sessionId}}","language":null,"timeout":null,"vault_ids":null}""", ct);

        Assert.Equal(HttpStatusCode.OK, status);
        var request = Assert.Single(app.Machines.Last.Execs);
        Assert.Equal(TimeSpan.FromSeconds(60), request.Timeout);
        Assert.Equal(Capsule.Vm.ExecLanguageKind.Auto, request.Language);
    }

    [Theory]
    [InlineData("python", Capsule.Vm.ExecLanguageKind.Python)]
    [InlineData("Python", Capsule.Vm.ExecLanguageKind.Python)]
    [InlineData("python3", Capsule.Vm.ExecLanguageKind.Python)]
    [InlineData("PY", Capsule.Vm.ExecLanguageKind.Python)]
    [InlineData("bash", Capsule.Vm.ExecLanguageKind.Bash)]
    [InlineData("sh", Capsule.Vm.ExecLanguageKind.Bash)]
    [InlineData("Shell", Capsule.Vm.ExecLanguageKind.Bash)]
    public async Task Execute_LanguageAliasesAndCase_RunAsTheirLanguage(string language, Capsule.Vm.ExecLanguageKind expected)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var (status, _) = await client.PostJsonAsync("/execute",
            new JsonObject { ["command"] = "x", ["session_id"] = sessionId, ["language"] = language }, ct);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(expected, Assert.Single(app.Machines.Last.Execs).Language);
    }

    [Fact]
    public async Task Execute_MalformedJson_Returns422JsonInvalid()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();

        var (status, body) = await ExecuteAsync(app, "{\"command\": \"x\",\n \"session_id\" 1}", ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var error = Assert.Single(Assert.IsType<JsonArray>(body!["detail"]))!;
        Assert.Equal("json_invalid", (string?)error["type"]);
        Assert.Equal(31, (int)error["loc"]![1]!);
    }
}
