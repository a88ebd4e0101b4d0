using System.Text.Json;
using Capsule.Server.Api.Validation;
using Capsule.Server.Sessions.Runs;

namespace Capsule.Server.Api.Requests;

/// <summary>InstaVM's <c>CommandRequest</c> (<c>POST /execute</c>), validated.</summary>
internal sealed record CommandRequest
{
    public required string Code { get; init; }
    /// <summary><see cref="CodeLanguage.Auto"/> when no language was given: the guest picks python or bash.</summary>
    public required CodeLanguage Language { get; init; }
    public required string SessionId { get; init; }
    public required int TimeoutSeconds { get; init; }
    public string? ApiKey { get; init; }
    /// <summary>Streaming only: keep running when the client disconnects (default: a disconnect kills the process).</summary>
    public bool Detach { get; init; }

    /// <summary>What the guest is asked to run.</summary>
    public CodeRun ToCodeRun() => new()
    {
        Language = Language,
        Code = Code,
        Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
    };

    /// <summary>
    /// The spellings of <c>language</c> that InstaVM's clients send, in any case: python, python3, py; bash, sh, shell.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, string> LanguageAliases =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["python"] = "python",
            ["python3"] = "python",
            ["py"] = "python",
            ["bash"] = "bash",
            ["sh"] = "bash",
            ["shell"] = "bash",
        };

    /// <summary>
    /// Reads the body, or throws one 422 listing every problem. <c>command</c> wins over <c>code</c>; one is required.
    /// <c>vault_ids</c> and unknown fields are ignored; <c>detach</c> matters only to the streaming endpoint.
    /// </summary>
    public static CommandRequest Parse(JsonElement body)
    {
        var fields = new BodyFields(body);
        var command = fields.OptionalString("command");
        var code = fields.OptionalString("code");
        if (!fields.Has("command") && !fields.Has("code"))
            fields.Missing("command");
        var apiKey = fields.OptionalString("api_key");
        var sessionId = fields.RequiredString("session_id");
        var language = fields.OptionalAliased("language", LanguageAliases, ["python", "bash"]);
        var timeout = fields.Int("timeout", defaultValue: 60, min: 1, max: 600);
        var detach = fields.Bool("detach", defaultValue: false);
        fields.ThrowIfInvalid();

        return new CommandRequest
        {
            Code = command ?? code!,
            Language = language switch
            {
                "python" => CodeLanguage.Python,
                "bash" => CodeLanguage.Bash,
                _ => CodeLanguage.Auto,
            },
            SessionId = sessionId!,
            TimeoutSeconds = timeout!.Value,
            ApiKey = apiKey,
            Detach = detach!.Value,
        };
    }
}
