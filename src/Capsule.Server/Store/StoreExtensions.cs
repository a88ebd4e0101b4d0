using Capsule.Server.Store.Postgres;

namespace Capsule.Server.Store;

internal static class StoreExtensions
{
    /// <summary>
    /// The one place the store is chosen: a PostgreSQL connection string (<c>Capsule:Cluster:Postgres</c> or
    /// <c>CAPSULE_POSTGRES</c>) puts every store on PostgreSQL; without one, everything stays in the embedded SQLite file.
    /// </summary>
    public static IServiceCollection AddCapsuleStore(this IServiceCollection services, IConfiguration configuration)
    {
        if (PostgresSettings.ConnectionString(configuration) is { } connectionString)
            return services.AddPostgresStore(connectionString);

        services.AddSingleton<SqliteDatabase>();
        services.AddSingleton<IStoreMigrations, SqliteMigrations>();
        services.AddSingleton<IApiKeyStore, SqliteApiKeyStore>();
        services.AddSingleton<ISessionStore, SqliteSessionStore>();
        services.AddSingleton<IExecutionStore, SqliteExecutionStore>();
        services.AddSingleton<IShareStore, SqliteShareStore>();
        services.AddSingleton<IEgressStore, SqliteEgressStore>();
        return services;
    }
}
