using System.Text.Json;
using Capsule.Server.Api.Validation;
using Capsule.Server.Sessions.Terminals;

namespace Capsule.Server.Api.Requests;

/// <summary>The body of <c>POST /v1/sessions/{session_id}/pty/sessions</c>: <c>{cols?, rows?, shell?}</c> (80×24, /bin/bash).</summary>
internal sealed record CreatePtyRequest(TerminalSpec Spec, string? ApiKey)
{
    public const int DefaultCols = 80;
    public const int DefaultRows = 24;

    public static CreatePtyRequest Parse(JsonElement body)
    {
        var fields = new BodyFields(body);
        var cols = fields.Int("cols", DefaultCols, 1, TerminalShells.MaxDimension);
        var rows = fields.Int("rows", DefaultRows, 1, TerminalShells.MaxDimension);
        var shell = fields.OptionalText("shell", 256);
        if (shell is not null && !TerminalShells.Allowed.Contains(shell, StringComparer.Ordinal))
            fields.ValueError("shell", $"shell must be one of {string.Join(", ", TerminalShells.Allowed)}");
        var apiKey = fields.OptionalString("api_key");
        fields.ThrowIfInvalid();
        return new CreatePtyRequest(new TerminalSpec(cols!.Value, rows!.Value, shell ?? TerminalShells.Default), apiKey);
    }
}

/// <summary>The body of <c>POST …/pty/sessions/{pty_id}/resize</c>: <c>{cols, rows}</c>, both required.</summary>
internal sealed record ResizePtyRequest(int Cols, int Rows, string? ApiKey)
{
    public static ResizePtyRequest Parse(JsonElement body)
    {
        var fields = new BodyFields(body);
        int? cols = null, rows = null;
        if (!fields.Has("cols"))
            fields.Missing("cols");
        else
            cols = fields.Int("cols", 0, 1, TerminalShells.MaxDimension);
        if (!fields.Has("rows"))
            fields.Missing("rows");
        else
            rows = fields.Int("rows", 0, 1, TerminalShells.MaxDimension);
        var apiKey = fields.OptionalString("api_key");
        fields.ThrowIfInvalid();
        return new ResizePtyRequest(cols!.Value, rows!.Value, apiKey);
    }
}
