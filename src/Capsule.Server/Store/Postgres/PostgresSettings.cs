namespace Capsule.Server.Store.Postgres;

/// <summary>Where the PostgreSQL store's connection string comes from; none means the embedded SQLite store.</summary>
internal static class PostgresSettings
{
    public const string ConfigurationKey = "Capsule:Cluster:Postgres";
    public const string Variable = "CAPSULE_POSTGRES";

    /// <summary><c>CAPSULE_POSTGRES</c>, else <c>Capsule:Cluster:Postgres</c>; null when neither is set (or both are blank).</summary>
    public static string? ConnectionString(IConfiguration configuration) =>
        NonEmpty(configuration[Variable]) ?? NonEmpty(configuration[ConfigurationKey]);

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
