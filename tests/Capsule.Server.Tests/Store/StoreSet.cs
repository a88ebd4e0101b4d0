using Capsule.Server.Store;

namespace Capsule.Server.Tests.Store;

/// <summary>The five stores and the migrator of one backend, over one database; disposing closes its connections.</summary>
internal sealed record StoreSet(
    IStoreMigrations Migrations,
    IApiKeyStore Keys,
    ISessionStore Sessions,
    IExecutionStore Executions,
    IShareStore Shares,
    IEgressStore Egress,
    IAsyncDisposable Database) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Database.DisposeAsync();
}
