using Capsule.Server.Hosting;
using Microsoft.Data.Sqlite;

namespace Capsule.Server.Store;

/// <summary>Opens connections to <c>&lt;data&gt;/capsule.db</c>. Connections are pooled; open one per operation.</summary>
internal sealed class SqliteDatabase(CapsulePaths paths) : IDisposable
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = paths.DatabaseFile,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // WAL with synchronous=NORMAL: a commit no longer waits for an fsync (one per execute, on the hot path),
            // and the database stays consistent; a server crash loses nothing, only an OS crash or power loss can
            // lose the last commits. Per connection, and cheap to repeat on a pooled one.
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA synchronous=NORMAL;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The database holds key hashes and session env vars: create it 0600 before SQLite does (its -wal and -shm
    /// files take the database's permissions).
    /// </summary>
    public void CreatePrivateFile()
    {
        if (File.Exists(paths.DatabaseFile))
            return;
        using var _ = new FileStream(paths.DatabaseFile, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
    }

    /// <summary>Closes pooled connections so the file is released when the server stops.</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
