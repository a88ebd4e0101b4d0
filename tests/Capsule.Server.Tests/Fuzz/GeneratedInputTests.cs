using System.Globalization;
using System.Text;

namespace Capsule.Server.Tests.Fuzz;

/// <summary>
/// At least 10,000 generated hostile requests, spread evenly over every endpoint, against the in-memory server with a
/// fake machine host: no answer may be a 5xx (or a broken response), every 4xx carries a JSON <c>detail</c>, and the
/// server still works afterwards. The run is deterministic: the seed is fixed (set <c>CAPSULE_FUZZ_SEED</c> to explore
/// others), and a failure prints the request that caused it.
/// </summary>
public sealed class GeneratedInputTests
{
    private const int DefaultSeed = 20_261_128;
    private const int Requests = 12_000;
    private const int BodyLimit = 16 * 1024;
    private const int UploadLimit = 64 * 1024;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task GeneratedRequests_OverEveryEndpoint_NeverGet5xxAndLeaveTheServerWorking()
    {
        var ct = TestContext.Current.CancellationToken;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("CAPSULE_FUZZ_SEED"), CultureInfo.InvariantCulture, out var chosen) ? chosen : DefaultSeed;
        await using var app = new CapsuleApp(settings: new Dictionary<string, string?>
        {
            ["Capsule:RateLimit:RequestsPerSecond"] = "0",
            ["Capsule:Requests:MaxJsonBodyBytes"] = BodyLimit.ToString(CultureInfo.InvariantCulture),
            ["Capsule:Files:MaxUploadBytes"] = UploadLimit.ToString(CultureInfo.InvariantCulture),
        });
        var context = await PrepareAsync(app, ct);
        using var client = app.Client(apiKey: null);
        var values = new FuzzValues(new Random(seed), BodyLimit);
        var failures = new List<(string Endpoint, string Problem, string Report)>();
        var statuses = new SortedDictionary<int, int>();
        var perEndpoint = new Dictionary<string, int>(StringComparer.Ordinal);

        for (var i = 0; i < Requests; i++)
        {
            var (name, make) = FuzzEndpoints.All[i % FuzzEndpoints.All.Count];
            var request = make(context, values);
            perEndpoint[name] = perEndpoint.GetValueOrDefault(name) + 1;
            var (status, problem) = await SendAsync(client, request, ct);
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            if (problem is not null)
                failures.Add((name, problem, $"request #{i} (seed {seed}): {problem}\n{request.Describe()}"));
        }

        TestContext.Current.SendDiagnosticMessage(
            $"seed {seed}: {Requests} requests; statuses {string.Join(", ", statuses.Select(s => $"{s.Key}x{s.Value}"))}");
        // One example of each kind of failure (endpoint and answer), so one bug does not hide the others.
        var examples = failures.GroupBy(f => (f.Endpoint, Kind: f.Problem.Length > 60 ? f.Problem[..60] : f.Problem)).Select(g => g.First().Report);
        Assert.True(failures.Count == 0, $"{failures.Count} bad answers; one of each kind:\n\n{string.Join("\n\n", examples.Take(30))}");
        Assert.All(FuzzEndpoints.All, e => Assert.True(perEndpoint.GetValueOrDefault(e.Name) >= Requests / FuzzEndpoints.All.Count));
        Assert.Contains(statuses.Keys, s => s is >= 200 and < 300);
        await AssertAliveAsync(app, context, ct);
    }

    /// <summary>Sends one request; the problem with its answer, if any (a 5xx, a broken response, a 4xx without detail).</summary>
    private static async Task<(int Status, string? Problem)> SendAsync(HttpClient client, FuzzRequest request, CancellationToken ct)
    {
        using var message = request.ToMessage();
        try
        {
            using var response = await client.SendAsync(message, ct).WaitAsync(Bound, ct);
            var bytes = await response.Content.ReadAsByteArrayAsync(ct).WaitAsync(Bound, ct);
            var status = (int)response.StatusCode;
            var text = Encoding.UTF8.GetString(bytes);
            if (status >= 500)
                return (status, $"{status}: {text}");
            if (status >= 400 && !HasDetail(text))
                return (status, $"{status} without a JSON detail: {text}");
            return (status, null);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return (0, $"no proper answer: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private static bool HasDetail(string text)
    {
        try
        {
            // A 422 echoes the input, which may be nested up to the body's own depth limit (64), plus the error's.
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 256 }) is JsonObject body && body["detail"] is { } detail
                && detail.GetValueKind() is JsonValueKind.String or JsonValueKind.Array;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>A non-admin key with sessions (with and without a VM), finished executions and files to download.</summary>
    private static async Task<FuzzContext> PrepareAsync(CapsuleApp app, CancellationToken ct)
    {
        var adminKey = app.AdminKey;
        var (keyId, key) = await app.CreateKeyAsync(ct);
        using var client = app.Client(key);
        var sessions = new List<string>();
        for (var i = 0; i < 3; i++)
            sessions.Add(await client.CreateSessionAsync(key, ct));
        await client.ExecuteOkAsync(sessions[0], "warm up", ct);
        var tasks = new List<string>();
        foreach (var session in sessions.Take(2))
        {
            var task = await client.ExecuteInBackgroundAsync(session, "print(1)", ct);
            await client.WaitForExecutionAsync(task, ct);
            tasks.Add(task);
        }
        for (var i = 0; i < 5; i++)
            await client.UploadBytesAsync(sessions[0], $"/app/fuzz-{i}.txt", Encoding.UTF8.GetBytes($"file {i}"), ct);
        var throwaway = new List<string>();
        for (var i = 0; i < 10; i++)
            throwaway.Add((await app.CreateKeyAsync(ct)).Id);
        using var admin = app.Client(adminKey);
        var (_, keys) = await admin.GetJsonAsync("/v1/api-keys/", ct);
        var adminKeyId = keys!.AsArray().Single(k => (bool)k!["is_admin"]!)!["id"]!.GetValue<string>();
        return new FuzzContext
        {
            Key = key,
            KeyId = keyId,
            AdminKey = adminKey,
            AdminKeyId = adminKeyId,
            SessionIds = sessions,
            TaskIds = tasks,
            ThrowawayKeyIds = throwaway,
            BodyLimit = BodyLimit,
            UploadLimit = UploadLimit,
        };
    }

    private static async Task AssertAliveAsync(CapsuleApp app, FuzzContext context, CancellationToken ct)
    {
        using var anonymous = app.Client(apiKey: null);
        var (health, _) = await anonymous.GetJsonAsync("/health", ct);
        Assert.Equal(HttpStatusCode.OK, health);
        using var client = app.Client(context.Key);
        var sessionId = await client.CreateSessionAsync(context.Key, ct);
        var result = await client.ExecuteOkAsync(sessionId, "print('still alive')", ct);
        Assert.Equal("print('still alive')\n", (string)result["stdout"]!);
    }
}
