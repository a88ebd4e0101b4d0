using Capsule.Vm;
using Capsule.Vm.Qemu;
using Capsule.Vm.Snapshots;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capsule.EndToEnd.Tests;

/// <summary>
/// A real failing start: the server restores from a snapshot whose device state file is cut in half, so QEMU fails to
/// load it. The client's detail is one public sentence (no host path, no QEMU log, no console text); the host's
/// evidence is in the server's log.
/// </summary>
public sealed class FailedStartTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TruncatedSnapshotState_DetailHasNoHostTextAndTheLogHasTheEvidence()
    {
        if (Prerequisites.MissingReason() is { } reason)
            Assert.Skip(reason);
        var privateSnapshots = Path.Combine("/dev/shm", $"capsule-e2e-{Guid.NewGuid():N}"[..24]);
        try
        {
            await CopyWithTruncatedStateAsync(privateSnapshots, vcpuCount: 1);
            await using var server = await TestServer.StartAsync(null, Token, new Dictionary<string, string>
            {
                ["Capsule__Vm__SnapshotDirectory"] = privateSnapshots,
                ["Capsule__Vm__WarmPoolSize"] = "0",
            });
            using var client = server.CreateClient();

            using var response = await client.PostAsync("/v1/sessions/session", JsonContent(new JsonObject
            {
                ["api_key"] = server.AdminKey,
                ["vcpu_count"] = 1,
                ["env"] = new JsonObject { ["A"] = "1" },
            }), Token);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Token))!;
            var detail = (string?)body["detail"] ?? "";
            var log = await File.ReadAllTextAsync(server.LogPath, Token);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("The VM could not be started; try again later", detail);
            Assert.DoesNotContain("/", detail, StringComparison.Ordinal);
            Assert.Contains("failed while loading the snapshot", log, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(privateSnapshots))
                Directory.Delete(privateSnapshots, recursive: true);
        }
    }

    /// <summary>
    /// The current snapshot for <paramref name="vcpuCount"/> (built if missing) copied under <paramref name="directory"/>
    /// with the key folder the server will look for, its state file cut to half its length.
    /// </summary>
    private static async Task CopyWithTruncatedStateAsync(string directory, int vcpuCount)
    {
        var options = new VmOptions { ImageDirectory = RepoPaths.ImageDirectory };
        var accelerator = new AcceleratorDetector(new HostProbe()).Detect(options.Accelerator);
        using var store = new SnapshotStore(options, accelerator.Name, NullLoggerFactory.Instance);
        var snapshot = await store.EnsureAsync(vcpuCount, force: false, new Progress<string>(), Token);
        var context = await store.GetContextAsync(Token);
        var target = Path.Combine(directory, context.Key, SnapshotFiles.FolderName(vcpuCount));
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(snapshot.Files.Path))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        var state = Path.Combine(target, "state");
        File.SetAttributes(state, FileAttributes.Normal);
        await using var stream = new FileStream(state, FileMode.Open, FileAccess.ReadWrite);
        stream.SetLength(stream.Length / 2);
    }

    private static StringContent JsonContent(JsonNode body) =>
        new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
}
