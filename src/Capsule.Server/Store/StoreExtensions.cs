namespace Capsule.Server.Store;

internal static class StoreExtensions
{
    public static IServiceCollection AddCapsuleStore(this IServiceCollection services)
    {
        services.AddSingleton<SqliteDatabase>();
        services.AddSingleton<SqliteMigrations>();
        services.AddSingleton<IApiKeyStore, SqliteApiKeyStore>();
        services.AddSingleton<ISessionStore, SqliteSessionStore>();
        services.AddSingleton<IExecutionStore, SqliteExecutionStore>();
        services.AddSingleton<IShareStore, SqliteShareStore>();
        services.AddSingleton<IEgressStore, SqliteEgressStore>();
        return services;
    }
}
