using Capsule.Agent.Protocol;
using Capsule.Agent.Tests.Support;

namespace Capsule.Agent.Tests.Agent;

public sealed class StatsTests
{
    [Fact]
    public async Task Stats_Request_FieldsWithinSaneRanges()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var reply = await client.RequestAsync(new AgentMessage { Kind = MessageKind.Stats, Id = client.NextId() });

        Assert.Equal(MessageKind.StatsResult, reply.Kind);
        var stats = Assert.IsType<GuestStats>(reply.Stats);
        Assert.InRange(stats.MemTotalKb, 16 * 1024, long.MaxValue);
        Assert.InRange(stats.MemAvailableKb, 1, stats.MemTotalKb);
        Assert.True(stats.CpuUserMs > 0);
        Assert.True(stats.CpuSystemMs > 0);
        Assert.True(stats.UptimeS > 0);
        // At least the agent and its python interpreter.
        Assert.InRange(stats.Processes, 2, 1_000_000);
    }
}
