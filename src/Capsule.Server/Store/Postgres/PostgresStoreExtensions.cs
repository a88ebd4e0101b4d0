namespace Capsule.Server.Store.Postgres;

internal static class PostgresStoreExtensions
{
    /// <summary>Every store on the PostgreSQL database that <paramref name="connectionString"/> names.</summary>
    public static IServiceCollection AddPostgresStore(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton(_ => new PostgresDatabase(connectionString));
        services.AddSingleton<IStoreMigrations, PostgresMigrations>();
        services.AddSingleton<IApiKeyStore, PostgresApiKeyStore>();
        services.AddSingleton<ISessionStore, PostgresSessionStore>();
        services.AddSingleton<IExecutionStore, PostgresExecutionStore>();
        services.AddSingleton<IShareStore, PostgresShareStore>();
        services.AddSingleton<IEgressStore, PostgresEgressStore>();
        return services;
    }
}
