using Npgsql;

namespace Capsule.Server.Store.Postgres;

/// <summary>
/// Opens connections to the PostgreSQL store through one <see cref="NpgsqlDataSource"/> (pooled; open one per
/// operation). A connection string that does not parse fails here, at start, with a message that names the setting.
/// </summary>
internal sealed class PostgresDatabase : IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresDatabase(string connectionString)
    {
        NpgsqlConnectionStringBuilder settings;
        try
        {
            settings = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
        {
            throw new InvalidOperationException(
                $"{PostgresSettings.ConfigurationKey} ({PostgresSettings.Variable}) is not a valid PostgreSQL connection string: {ex.Message}", ex);
        }
        if (string.IsNullOrWhiteSpace(settings.Host))
        {
            throw new InvalidOperationException(
                $"{PostgresSettings.ConfigurationKey} ({PostgresSettings.Variable}) names no Host; e.g. \"Host=db;Database=capsule;Username=capsule\"");
        }
        Target = $"{settings.Host}:{settings.Port}/{settings.Database ?? settings.Username ?? "(default database)"}";
        _dataSource = NpgsqlDataSource.Create(settings);
    }

    /// <summary>Host, port and database, without credentials: what messages and logs may name.</summary>
    public string Target { get; }

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>For a container disposed synchronously (one that holds an async-only singleton would throw).</summary>
    public void Dispose() => _dataSource.Dispose();
}
