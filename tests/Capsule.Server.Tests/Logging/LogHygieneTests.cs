using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Capsule.Server.Auth;
using Capsule.Testing.Logging;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Capsule.Server.Tests.Logging;

/// <summary>
/// A realistic run with every log category captured at Trace (ASP.NET Core's included): keys created, sessions with
/// env vars, executions whose code and output carry markers, uploads and downloads of marked content, refused keys and
/// malformed bodies that carry a key. No message, structured value, scope or exception may contain any API key (or
/// any 12 characters of its secret part), a key's hash, the bogus key, file content, code, output or env values.
/// </summary>
public sealed class LogHygieneTests
{
    private const string CodeMarker = "LOGMARK-code-3a9f";
    private const string OutputMarker = "LOGMARK-output-c41d";
    private const string FileMarker = "LOGMARK-file-77e0";
    private const string SpooledFileMarker = "LOGMARK-spooled-0b5a";
    private const string EnvMarker = "LOGMARK-env-e2c8";
    private const string BogusKey = "capsule_sk_LOGMARK-bogus-key-5f1e9c0d2b7a4e6f8a1c3d5e7f9b0a2c4e6";

    [Fact]
    public async Task RealisticRun_AtTraceLevel_LogsNoKeyAndNoContent()
    {
        var ct = TestContext.Current.CancellationToken;
        var capture = new CapturingLoggerProvider();
        await using var app = new CapsuleApp();
        var logged = app.WithWebHostBuilder(builder => builder.ConfigureLogging(logging =>
        {
            logging.AddProvider(capture);
            // A rule for this provider beats the server's own "Microsoft.AspNetCore: Warning" rule.
            logging.AddFilter<CapturingLoggerProvider>(category: null, LogLevel.Trace);
            logging.SetMinimumLevel(LogLevel.Trace);
        }));
        HttpClient Client(string? key)
        {
            var client = logged.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
            if (key is not null)
                client.DefaultRequestHeaders.Add("X-API-Key", key);
            return client;
        }
        using var anonymous = Client(null);
        await anonymous.GetJsonAsync("/health", ct);
        var adminKey = (await File.ReadAllTextAsync(app.AdminKeyFile, ct)).Trim();
        app.Machines.Script("emit", FakeMachineHost.Result(stdout: OutputMarker + "\n", stderr: OutputMarker + " on stderr\n"));
        app.Machines.Script("boom", (_, _, _) => throw new InvalidOperationException("simulated bug"));

        using var admin = Client(adminKey);
        var (userKey, userKeyId) = await CreateKeyAsync(admin, "user", ct);
        var (revokedKey, revokedKeyId) = await CreateKeyAsync(admin, "to revoke", ct);
        using var user = Client(userKey);
        using var bearer = Client(null);
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", userKey);

        var sessionId = await user.CreateSessionAsync(userKey, ct, new JsonObject
        {
            ["env"] = new JsonObject { ["LOG_SECRET"] = EnvMarker },
            ["metadata"] = new JsonObject { ["team"] = "logging" },
        });
        await user.ExecuteOkAsync(sessionId, $"print('{CodeMarker}')", ct);
        await user.ExecuteOkAsync(sessionId, "emit", ct);
        await anonymous.PostJsonAsync("/execute", new JsonObject { ["api_key"] = userKey, ["command"] = CodeMarker, ["session_id"] = sessionId }, ct);
        var taskId = await user.ExecuteInBackgroundAsync(sessionId, $"print('{CodeMarker} async')", ct);
        await user.WaitForExecutionAsync(taskId, ct);
        await user.GetJsonAsync("/v1/executions/", ct);
        using (var stream = new HttpRequestMessage(HttpMethod.Post, "/v1/execute/stream")
        {
            Content = new StringContent(new JsonObject { ["command"] = "emit", ["session_id"] = sessionId }.ToJsonString(), Encoding.UTF8, "application/json"),
        })
        {
            var (_, events) = await bearer.SendRawAsync(stream, ct);
            Assert.Contains(OutputMarker, events, StringComparison.Ordinal);
        }
        await user.PostJsonAsync("/execute", new JsonObject { ["command"] = "boom", ["session_id"] = sessionId }, ct);

        await user.UploadBytesAsync(sessionId, "/app/marked.txt", Encoding.UTF8.GetBytes(FileMarker), ct);
        using (var fileFirst = FileHttp.UploadForm(new ByteArrayContent(Encoding.UTF8.GetBytes(SpooledFileMarker)), "spooled.txt",
            [("remote_path", "/app/spooled.txt"), ("session_id", sessionId), ("api_key", userKey)], fileFirst: true))
        {
            await anonymous.UploadAsync(fileFirst, ct);
        }
        await user.DownloadJsonAsync(sessionId, "/app/marked.txt", ct);
        await user.DownloadRawAsync(sessionId, "/app/spooled.txt", ct);
        await user.DownloadJsonAsync(sessionId, "/app/missing.txt", ct);

        await user.GetJsonAsync($"/v1/sessions/session/{sessionId}", ct);
        await user.GetJsonAsync($"/v1/sessions/status/{sessionId}", ct);
        await user.GetJsonAsync($"/v1/sessions/usage/{sessionId}", ct);
        await user.GetJsonAsync("/v1/sessions/sandboxes?metadata=" + Uri.EscapeDataString("""{"team":"logging"}"""), ct);
        await user.PostJsonAsync($"/v1/sessions/{sessionId}/extend", new JsonObject { ["vm_lifetime_seconds"] = 600 }, ct);
        await user.PostJsonAsync("/kill", new JsonObject { ["session_id"] = sessionId }, ct);

        // Refusals that carry secrets: bogus and revoked keys in every place, bodies that echo the key back in a 422.
        await admin.SendRawAsync(new HttpRequestMessage(HttpMethod.Delete, $"/v1/api-keys/{revokedKeyId}"), ct);
        using var bogus = Client(BogusKey);
        using var bogusBearer = Client(null);
        bogusBearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", BogusKey);
        using var revoked = Client(revokedKey);
        var execute = new JsonObject { ["command"] = CodeMarker, ["session_id"] = sessionId };
        await bogus.PostJsonAsync("/execute", execute, ct);
        await bogusBearer.PostJsonAsync("/execute", execute, ct);
        await revoked.PostJsonAsync("/execute", execute, ct);
        await anonymous.PostJsonAsync("/execute", new JsonObject { ["api_key"] = BogusKey, ["command"] = CodeMarker, ["session_id"] = sessionId }, ct);
        await anonymous.PostJsonAsync("/v1/sessions/session", new JsonObject { ["api_key"] = BogusKey }, ct);
        await bogus.GetJsonAsync("/v1/api-keys/", ct);
        await anonymous.PostJsonAsync("/execute", new JsonObject { ["api_key"] = userKey, ["command"] = CodeMarker, ["session_id"] = 42 }, ct);
        await anonymous.PostRawAsync("/execute", $$"""{"api_key": "{{userKey}}", "command": "{{CodeMarker}}""", ct);
        await anonymous.PostJsonAsync("/v1/sessions/session",
            new JsonObject { ["api_key"] = userKey, ["env"] = new JsonObject { ["LOG_SECRET"] = EnvMarker }, ["memory_mb"] = 3 }, ct);
        using (var form = FileHttp.UploadForm(new ByteArrayContent(Encoding.UTF8.GetBytes(FileMarker)), "x.txt",
            [("remote_path", "relative/" + FileMarker), ("session_id", sessionId), ("api_key", BogusKey)]))
        {
            await anonymous.UploadAsync(form, ct);
        }

        var entries = capture.Entries;
        Assert.Contains(entries, e => e.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) && e.Level <= LogLevel.Debug);
        Assert.Contains(entries, e => e.Category.StartsWith("Capsule.Server", StringComparison.Ordinal));
        var secrets = Secrets([adminKey, userKey, revokedKey, BogusKey]).ToList();
        var leaks = entries
            .SelectMany(entry => secrets.Where(s => entry.Text.Contains(s.Value, StringComparison.Ordinal))
                .Select(s => $"{s.What} in [{entry.Category} {entry.Level} {entry.EventId}] {entry.Text}"))
            .ToList();
        Assert.True(leaks.Count == 0, $"{leaks.Count} log entries leak secrets:\n{string.Join("\n\n", leaks.Take(20))}");
        Assert.Contains(entries, e => e.Text.Contains(userKeyId, StringComparison.Ordinal));
    }

    private static async Task<(string Key, string Id)> CreateKeyAsync(HttpClient admin, string description, CancellationToken ct)
    {
        var (status, body) = await admin.PostJsonAsync("/v1/api-keys/", new JsonObject { ["description"] = description }, ct);
        Assert.Equal(HttpStatusCode.Created, status);
        return (body!["api_key"]!.GetValue<string>(), body["id"]!.GetValue<string>());
    }

    /// <summary>What must never be logged: for keys, every 12 characters of the part lists do not show, and the hash.</summary>
    private static IEnumerable<(string What, string Value)> Secrets(IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            var hidden = key[ApiKeyFormat.Visible(key).Length..];
            for (var start = 0; start + 12 <= hidden.Length; start++)
                yield return ($"part of key {ApiKeyFormat.Visible(key)}", hidden.Substring(start, 12));
            yield return ($"hash of key {ApiKeyFormat.Visible(key)}", ApiKeyFormat.Hash(key));
        }
        foreach (var marker in new[] { CodeMarker, OutputMarker, FileMarker, SpooledFileMarker, EnvMarker })
            yield return (marker, marker);
        foreach (var content in new[] { FileMarker, SpooledFileMarker })
            yield return ($"base64 of {content}", Convert.ToBase64String(Encoding.UTF8.GetBytes(content)));
        yield return ("env value hash", Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(EnvMarker))));
    }
}
