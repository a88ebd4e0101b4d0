using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Capsule.Server.Api.Requests;
using Capsule.Server.Sessions;
using Capsule.Server.Sessions.Terminals;

namespace Capsule.Server.Api.OpenApi;

// Request bodies are parsed by hand (FastAPI-style 422s), so the OpenAPI document cannot infer them from handler
// parameters. These records only describe the bodies; the parsers in Api/Requests and Files are the behaviour, and
// OpenApiTests checks the two agree on field names.

/// <summary>InstaVM's CreateSessionRequest.</summary>
internal sealed record CreateSessionRequestSchema
{
    /// <summary>The API key (required here, as InstaVM requires it in the body).</summary>
    public required string ApiKey { get; init; }

    /// <summary>Seconds the VM lives, counted from its spawn.</summary>
    [Range(SessionLimits.MinLifetimeSeconds, SessionLimits.MaxLifetimeSeconds), DefaultValue(SessionLimits.DefaultLifetimeSeconds)]
    public int? VmLifetimeSeconds { get; init; }

    /// <summary>Guest memory in MB; even; within this host's range (its minimum and maximum here).</summary>
    [DefaultValue(SessionLimits.DefaultMemoryMb)]
    public int? MemoryMb { get; init; }

    /// <summary>A vCPU count this host runs (the values listed here).</summary>
    [DefaultValue(SessionLimits.DefaultVcpuCount)]
    public int? VcpuCount { get; init; }

    /// <summary>Free key-values, matched by GET /v1/sessions/sandboxes?metadata=.</summary>
    public Dictionary<string, object>? Metadata { get; init; }

    /// <summary>Env vars for every execution of the session; when given, the VM spawns at once.</summary>
    public Dictionary<string, string>? Env { get; init; }

    /// <summary>Extension: the session's egress policy (as POST /v1/egress/session/{session_id} takes it).</summary>
    public EgressPolicySchema? EgressPolicy { get; init; }
}

/// <summary>InstaVM's CommandRequest (POST /execute, POST /execute_async).</summary>
internal record CommandRequestSchema
{
    /// <summary>The code to run. One of command and code is required; command wins.</summary>
    public string? Command { get; init; }

    /// <summary>Alias of command (what InstaVM's SDK sends).</summary>
    public string? Code { get; init; }

    /// <summary>python or bash. Absent: python if the code compiles as Python, else bash.</summary>
    [AllowedValues("python", "bash")]
    public string? Language { get; init; }

    public required string SessionId { get; init; }

    /// <summary>Seconds before the process tree is killed (partial output, timed_out true, exit code 124).</summary>
    [Range(1, 600), DefaultValue(60)]
    public int? Timeout { get; init; }

    /// <summary>The API key, when not sent as X-API-Key or Bearer.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Accepted and ignored (InstaVM secrets vaults).</summary>
    public List<string>? VaultIds { get; init; }
}

/// <summary>The body of POST /v1/execute/stream: a CommandRequest plus detach.</summary>
internal sealed record StreamRequestSchema : CommandRequestSchema
{
    /// <summary>Keep the process running when the client disconnects.</summary>
    [DefaultValue(false)]
    public bool? Detach { get; init; }
}

/// <summary>The body of POST /kill.</summary>
internal sealed record KillRequestSchema
{
    /// <summary>A session id (a UUID; anything else is a 400).</summary>
    public required string SessionId { get; init; }

    public string? ApiKey { get; init; }
}

/// <summary>The body of POST /v1/sessions/{session_id}/extend.</summary>
internal sealed record ExtendRequestSchema
{
    /// <summary>The VM expires this many seconds from now; its whole life since spawn stays within 86400 s.</summary>
    [Range(SessionLimits.MinLifetimeSeconds, SessionLimits.MaxLifetimeSeconds)]
    public required int VmLifetimeSeconds { get; init; }

    public string? ApiKey { get; init; }
}

/// <summary>InstaVM's Body_upload_file_endpoint_upload_post (multipart/form-data).</summary>
internal sealed record UploadFormSchema
{
    /// <summary>The file's bytes.</summary>
    public required IFormFile File { get; init; }

    /// <summary>Absolute path in the VM; ending in '/' means into that folder, under the file's own name.</summary>
    public required string RemotePath { get; init; }

    public required string SessionId { get; init; }

    /// <summary>"true" creates missing parent folders; otherwise the folder must exist.</summary>
    [DefaultValue(false)]
    public bool? Recursive { get; init; }

    public string? ApiKey { get; init; }
}

/// <summary>The form of POST /download (application/x-www-form-urlencoded).</summary>
internal sealed record DownloadFormSchema
{
    /// <summary>Absolute path of the file in the VM.</summary>
    public required string Filename { get; init; }

    public required string SessionId { get; init; }

    public string? ApiKey { get; init; }
}

/// <summary>The body of POST /v1/api-keys/ (may be empty).</summary>
internal sealed record CreateApiKeyRequestSchema
{
    [MaxLength(256), DefaultValue("")]
    public string? Description { get; init; }

    /// <summary>Create an admin key (only an admin key may).</summary>
    [DefaultValue(false)]
    public bool? IsAdmin { get; init; }
}

/// <summary>The body of PATCH /v1/api-keys/{key_id}.</summary>
internal sealed record UpdateApiKeyRequestSchema
{
    [MaxLength(256)]
    public required string Description { get; init; }
}

/// <summary>FastAPI's HTTPValidationError: every problem with the request.</summary>
internal sealed record ValidationErrorResponseSchema
{
    public required List<ValidationErrorItemSchema> Detail { get; init; }
}

/// <summary>One pydantic error: where, what, and the offending input.</summary>
internal sealed record ValidationErrorItemSchema
{
    /// <summary>e.g. missing, int_parsing, greater_than_equal, literal_error.</summary>
    public required string Type { get; init; }

    /// <summary>"body" or "query", then field names or positions.</summary>
    public required List<object> Loc { get; init; }

    public required string Msg { get; init; }

    public required object? Input { get; init; }

    /// <summary>Limits that were broken, e.g. {"ge": 20}.</summary>
    public Dictionary<string, object>? Ctx { get; init; }
}

/// <summary>The body of POST /v1/shares.</summary>
internal sealed record CreateShareRequestSchema
{
    public required string SessionId { get; init; }

    /// <summary>The guest TCP port to expose.</summary>
    [Range(Capsule.Server.Api.Requests.ShareLimits.MinPort, Capsule.Server.Api.Requests.ShareLimits.MaxPort)]
    public required int Port { get; init; }

    /// <summary>Public: anyone with the URL. Private (the default): only with this key.</summary>
    [DefaultValue(false)]
    public bool? IsPublic { get; init; }

    public string? ApiKey { get; init; }
}

/// <summary>The body of PATCH /v1/shares/{share_id}.</summary>
internal sealed record UpdateShareRequestSchema
{
    public bool? IsPublic { get; init; }

    /// <summary>True revokes the share for good: its URL answers 404 from then on.</summary>
    public bool? Revoke { get; init; }

    public string? ApiKey { get; init; }
}

/// <summary>InstaVM's egress policy (POST /v1/egress/session/{session_id}, or egress_policy at create).</summary>
internal sealed record EgressPolicySchema
{
    /// <summary>Debian's archive, PyPI and the npm registry.</summary>
    [DefaultValue(false)]
    public bool? AllowPackageManagers { get; init; }

    /// <summary>Plain HTTP (port 80) to any allowed name.</summary>
    [DefaultValue(false)]
    public bool? AllowHttp { get; init; }

    /// <summary>HTTPS (port 443) to any allowed name.</summary>
    [DefaultValue(false)]
    public bool? AllowHttps { get; init; }

    /// <summary>Exact names (example.com) and subdomain wildcards (*.example.com).</summary>
    public IReadOnlyList<string>? AllowedDomains { get; init; }

    /// <summary>Address blocks such as 203.0.113.0/24.</summary>
    public IReadOnlyList<string>? AllowedCidrs { get; init; }

    public string? ApiKey { get; init; }
}

/// <summary>Extension (InstaVM's PTY routes): a new PTY.</summary>
internal sealed record CreatePtyRequestSchema
{
    /// <summary>Terminal width in columns.</summary>
    [Range(1, TerminalShells.MaxDimension), DefaultValue(CreatePtyRequest.DefaultCols)]
    public int? Cols { get; init; }

    /// <summary>Terminal height in rows.</summary>
    [Range(1, TerminalShells.MaxDimension), DefaultValue(CreatePtyRequest.DefaultRows)]
    public int? Rows { get; init; }

    /// <summary>The shell's absolute path: /bin/bash (default), /bin/sh, /bin/dash, /bin/zsh or /bin/fish (or their /usr/bin twins), if installed.</summary>
    [DefaultValue(TerminalShells.Default)]
    public string? Shell { get; init; }

    /// <summary>The API key, if not in a header.</summary>
    public string? ApiKey { get; init; }
}

/// <summary>A PTY's new window size.</summary>
internal sealed record ResizePtyRequestSchema
{
    /// <summary>Terminal width in columns.</summary>
    [Range(1, TerminalShells.MaxDimension)]
    public required int Cols { get; init; }

    /// <summary>Terminal height in rows.</summary>
    [Range(1, TerminalShells.MaxDimension)]
    public required int Rows { get; init; }

    /// <summary>The API key, if not in a header.</summary>
    public string? ApiKey { get; init; }
}
