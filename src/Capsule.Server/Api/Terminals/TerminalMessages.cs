using System.Text.Json.Serialization;

namespace Capsule.Server.Api.Terminals;

/// <summary>A text frame from the client: <c>{"type":"resize","cols":C,"rows":R}</c>.</summary>
internal sealed record TerminalControlMessage(string? Type, int? Cols, int? Rows);

/// <summary>The last text frame to the client: <c>{"type":"exit","exit_code":N}</c> (null when the VM went away).</summary>
internal sealed record TerminalExitMessage(string Type, int? ExitCode);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(TerminalControlMessage))]
[JsonSerializable(typeof(TerminalExitMessage))]
internal sealed partial class TerminalSocketJsonContext : JsonSerializerContext;
