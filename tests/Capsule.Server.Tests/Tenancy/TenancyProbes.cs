using System.Text;

namespace Capsule.Server.Tests.Tenancy;

/// <summary>
/// Every endpoint that takes a session, execution/task or key id, once each. A new endpoint that takes an id gets one
/// line here; <see cref="TenancyTests"/> then tries it with every intruder and key placement.
/// </summary>
internal static class TenancyProbes
{
    private const string Session = "Session not found";
    private const string Execution = "Execution not found";
    private const string Key = "API key not found";
    private const string Share = "Share not found";
    private const string Pty = "/v1/sessions/{session_id}/pty/sessions";

    /// <summary>Where an intruder's upload would land; it must never exist afterwards.</summary>
    public const string IntruderUploadPath = "/app/intruder-was-here.txt";

    public static readonly IReadOnlyList<TenancyProbe> ById =
    [
        new("GET /v1/sessions/session/{session_id}", Session, false, false, (w, _) => TenancyProbe.Get($"/v1/sessions/session/{w.SessionId}")),
        new("GET /v1/sessions/status/{session_id}", Session, false, false, (w, _) => TenancyProbe.Get($"/v1/sessions/status/{w.SessionId}")),
        new("GET /v1/sessions/usage/{session_id}", Session, false, false, (w, _) => TenancyProbe.Get($"/v1/sessions/usage/{w.SessionId}")),
        new("POST /v1/sessions/{session_id}/extend", Session, true, false, (w, key) =>
            TenancyProbe.Json(HttpMethod.Post, $"/v1/sessions/{w.SessionId}/extend", new JsonObject { ["vm_lifetime_seconds"] = 3600 }, key)),
        new("POST /kill", Session, true, false, (w, key) =>
            TenancyProbe.Json(HttpMethod.Post, "/kill", new JsonObject { ["session_id"] = w.SessionId }, key)),
        new("POST /execute", Session, true, false, (w, key) =>
            TenancyProbe.Json(HttpMethod.Post, "/execute", new JsonObject { ["command"] = "intruder", ["session_id"] = w.SessionId }, key)),
        new("POST /execute_async", Session, true, false, (w, key) =>
            TenancyProbe.Json(HttpMethod.Post, "/execute_async", new JsonObject { ["command"] = "intruder", ["session_id"] = w.SessionId }, key)),
        new("POST /v1/execute/stream", Session, true, false, (w, key) =>
            TenancyProbe.Json(HttpMethod.Post, "/v1/execute/stream", new JsonObject { ["command"] = "intruder", ["session_id"] = w.SessionId }, key)),
        new("POST /upload", Session, true, false, (w, key) =>
            TenancyProbe.Upload(w.SessionId, IntruderUploadPath, Encoding.UTF8.GetBytes("intruder bytes"), key)),
        new("POST /download", Session, true, false, (w, key) =>
            TenancyProbe.Form("/download", [("filename", TenantWorld.FilePath), ("session_id", w.SessionId)], key)),
        new("GET /v1/sessions/app-url/{session_id}", Session, false, false, (w, _) => TenancyProbe.Get($"/v1/sessions/app-url/{w.SessionId}?port=8000")),
        new("POST /v1/shares", Session, true, false, (w, key) =>
            TenancyProbe.Json(HttpMethod.Post, "/v1/shares", new JsonObject { ["session_id"] = w.SessionId, ["port"] = 8000, ["is_public"] = true }, key)),
        new("PATCH /v1/shares/{share_id}", Share, true, false, (w, key) =>
            TenancyProbe.Json(HttpMethod.Patch, $"/v1/shares/{w.ShareId}", new JsonObject { ["is_public"] = true, ["revoke"] = true }, key)),
        new("POST /v1/shares/{share_id}/token", Share, false, false, (w, _) =>
            TenancyProbe.Json(HttpMethod.Post, $"/v1/shares/{w.ShareId}/token", new JsonObject(), null)),
        new("GET /v1/egress/session/{session_id}", Session, false, false, (w, _) => TenancyProbe.Get($"/v1/egress/session/{w.SessionId}")),
        new("POST /v1/egress/session/{session_id}", Session, true, false, (w, key) =>
            TenancyProbe.Json(HttpMethod.Post, $"/v1/egress/session/{w.SessionId}", new JsonObject { ["allowed_cidrs"] = new JsonArray() }, key)),
        new($"POST {Pty}", Session, true, false, (w, key) =>
            TenancyProbe.Json(HttpMethod.Post, $"/v1/sessions/{w.SessionId}/pty/sessions", new JsonObject { ["cols"] = 90 }, key)),
        new($"GET {Pty}", Session, false, false, (w, _) => TenancyProbe.Get($"/v1/sessions/{w.SessionId}/pty/sessions")),
        new($"GET {Pty}/{{pty_id}}", Session, false, false, (w, _) => TenancyProbe.Get($"/v1/sessions/{w.SessionId}/pty/sessions/{w.PtyId}")),
        new($"DELETE {Pty}/{{pty_id}}", Session, false, false, (w, _) => TenancyProbe.Delete($"/v1/sessions/{w.SessionId}/pty/sessions/{w.PtyId}")),
        new($"POST {Pty}/{{pty_id}}/resize", Session, true, false, (w, key) =>
            TenancyProbe.Json(HttpMethod.Post, $"/v1/sessions/{w.SessionId}/pty/sessions/{w.PtyId}/resize", new JsonObject { ["cols"] = 9, ["rows"] = 9 }, key)),
        new($"POST {Pty}/{{pty_id}}/token", Session, false, false, (w, _) =>
            new HttpRequestMessage(HttpMethod.Post, $"/v1/sessions/{w.SessionId}/pty/sessions/{w.PtyId}/token")),
        new($"GET {Pty}/{{pty_id}}/attach", Session, false, false, (w, _) => TenancyProbe.Get($"/v1/sessions/{w.SessionId}/pty/sessions/{w.PtyId}/attach")),
        new("GET /v1/executions/{task_id}", Execution, false, false, (w, _) => TenancyProbe.Get($"/v1/executions/{w.TaskId}")),
        new("GET /v1/api-keys/{key_id}", Key, false, true, (w, _) => TenancyProbe.Get($"/v1/api-keys/{w.A.Id}")),
        new("PATCH /v1/api-keys/{key_id}", Key, false, true, (w, key) =>
            TenancyProbe.Json(HttpMethod.Patch, $"/v1/api-keys/{w.A.Id}", new JsonObject { ["description"] = "renamed by intruder" }, key)),
        new("DELETE /v1/api-keys/{key_id}", Key, false, true, (w, _) => TenancyProbe.Delete($"/v1/api-keys/{w.A.Id}")),
        // The other way round: a non-admin key cannot read or touch the admin's key either.
        new("GET /v1/api-keys/{key_id} (the admin's key)", Key, false, true, (w, _) => TenancyProbe.Get($"/v1/api-keys/{w.AdminKeyId}")),
        new("DELETE /v1/api-keys/{key_id} (the admin's key)", Key, false, true, (w, _) => TenancyProbe.Delete($"/v1/api-keys/{w.AdminKeyId}")),
    ];

    /// <summary>Listings: each answers the intruder, without any of A's items, filtered or not.</summary>
    public static readonly IReadOnlyList<TenancyListProbe> Listings =
    [
        new("GET /v1/executions/", false, _ => TenancyProbe.Get("/v1/executions/")),
        new("GET /v1/executions/?limit=1000&offset=0", false, _ => TenancyProbe.Get("/v1/executions/?limit=1000&offset=0")),
        new("GET /v1/sessions/sandboxes", false, _ => TenancyProbe.Get("/v1/sessions/sandboxes")),
        new("GET /v1/sessions/sandboxes?metadata=(A's metadata)", false, _ => TenancyProbe.Get(
            "/v1/sessions/sandboxes?metadata=" + Uri.EscapeDataString($$"""{"tenant":"a","note":"{{TenantWorld.MetadataMarker}}"}"""))),
        new("GET /v1/sessions/sandboxes?metadata={}&limit=1000", false, _ => TenancyProbe.Get("/v1/sessions/sandboxes?metadata=%7B%7D&limit=1000")),
        new("GET /v1/api-keys/", true, _ => TenancyProbe.Get("/v1/api-keys/")),
        new("GET /v1/shares", false, _ => TenancyProbe.Get("/v1/shares")),
    ];
}
