namespace Capsule.Server.Store;

/// <summary>Brings the store's schema up to date; runs once at start, before anything else uses the store.</summary>
internal interface IStoreMigrations
{
    Task MigrateAsync(CancellationToken cancellationToken);
}
