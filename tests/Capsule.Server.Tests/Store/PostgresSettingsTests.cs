using Capsule.Server.Store.Postgres;
using Microsoft.Extensions.Configuration;

namespace Capsule.Server.Tests.Store;

public sealed class PostgresSettingsTests
{
    [Theory]
    [InlineData(null, null, null)]
    [InlineData(" ", "", null)]
    [InlineData(null, "Host=a", "Host=a")]
    [InlineData("Host=env", "Host=a", "Host=env")]
    [InlineData(" ", "Host=a", "Host=a")]
    public void ConnectionString_EnvironmentVariableWinsAndBlankMeansSqlite(string? variable, string? setting, string? expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CAPSULE_POSTGRES"] = variable,
            ["Capsule:Cluster:Postgres"] = setting,
        }).Build();

        Assert.Equal(expected, PostgresSettings.ConnectionString(configuration));
    }
}
