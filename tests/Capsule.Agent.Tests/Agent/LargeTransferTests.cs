using System.Security.Cryptography;
using System.Threading.Channels;
using Capsule.Agent.Protocol;
using Capsule.Agent.Tests.Support;

namespace Capsule.Agent.Tests.Agent;

/// <summary>
/// Large file transfers with the agent's GC sized as in a 128 MB guest. The GC reserves twice the RAM it sees at
/// start for its heap (about 182 MiB there). With concurrent GC off, the .NET 10 GC leaves the last page of its
/// region table uncommitted, and the agent died with SIGSEGV (a guest kernel panic, as it is PID 1) once transfers
/// had pushed the heap into the regions that page describes.
/// </summary>
public sealed class LargeTransferTests
{
    /// <summary>Twice the 91 MiB a 128 MB guest reports, as DOTNET_ knobs take it (hex).</summary>
    private const string GuestRegionRange = "B600000";

    private const int FileBytes = 64 * 1024 * 1024;
    private const int Rounds = 3;
    private const int ReadsPerRound = 3;

    [Fact]
    public async Task ReadAndWriteFile_RepeatedLargeTransfersInGuestSizedHeap_AgentStaysUp()
    {
        await using var agent = await AgentProcess.StartAsync(
            environment: new Dictionary<string, string> { ["DOTNET_GCRegionRange"] = GuestRegionRange });
        await using var client = await agent.ConnectAsync();
        var content = new byte[FileBytes];
        Random.Shared.NextBytes(content);
        var expected = SHA256.HashData(content);
        var source = Path.Join(agent.WorkDir, "big.bin");
        await File.WriteAllBytesAsync(source, content, TestTimeouts.Token);

        for (var round = 0; round < Rounds; round++)
        {
            var reads = Enumerable.Range(0, ReadsPerRound).Select(_ => ReadHashAsync(client, source)).ToList();
            var write = client.WriteFileAsync(Path.Join(agent.WorkDir, $"copy-{round}.bin"), new MemoryStream(content));
            try
            {
                await Task.WhenAll([.. reads, write]).Bounded(TimeSpan.FromMinutes(3));
            }
            catch (Exception e) when (e is IOException or ChannelClosedException)
            {
                // The connection broke: say whether the agent died (the failure this test is about).
                if (await agent.WaitForExitAsync(TimeSpan.FromSeconds(10)) is not { } code)
                    throw;
                Assert.Fail($"The agent died with exit code {code} in round {round} ({e.GetType().Name}: {e.Message}).");
            }

            Assert.Equal(FileBytes, (await write).Size);
            foreach (var read in reads)
            {
                var (final, hash) = await read;
                Assert.Equal(MessageKind.FileEnd, final.Kind);
                Assert.Equal(FileBytes, final.Size);
                Assert.Equal(expected, hash);
            }
        }

        var outcome = await client.ExecAsync(ExecLanguage.Python, "print('still here')");
        Assert.Equal("still here\n", outcome.Stdout);
        Assert.Null(agent.ExitCode);
    }

    private static async Task<(AgentMessage Final, byte[] Sha256)> ReadHashAsync(AgentClient client, string path)
    {
        using var sha = SHA256.Create();
        await using var sink = new CryptoStream(Stream.Null, sha, CryptoStreamMode.Write);
        var (final, _) = await client.ReadFileAsync(path, sink);
        await sink.FlushFinalBlockAsync(TestTimeouts.Token);
        return (final, sha.Hash!);
    }
}
