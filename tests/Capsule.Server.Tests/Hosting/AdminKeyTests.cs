using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Capsule.Server.Tests.Hosting;

public sealed class AdminKeyTests
{
    [Fact]
    public async Task FirstStart_WritesAdminKeyFileWithMode0600()
    {
        await using var app = new CapsuleApp();

        var key = app.AdminKey;

        Assert.Matches("^capsule_sk_[A-Za-z0-9_-]{43}$", key);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(app.AdminKeyFile));
        Assert.Contains(key, app.Banner.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirstStart_StoresOnlyTheKeysHash()
    {
        await using var app = new CapsuleApp();
        var key = app.AdminKey;

        var rows = ReadApiKeys(app.DataDirectory);

        var row = Assert.Single(rows);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), row["key_hash"]);
        Assert.Equal("1", row["is_admin"]);
        Assert.DoesNotContain(row.Values, v => v.Contains(key, StringComparison.Ordinal));
        foreach (var file in Directory.GetFiles(app.DataDirectory, "capsule.db*"))
        {
            var bytes = await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken);
            Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(key)) < 0, $"{file} contains the key");
        }
    }

    [Fact]
    public async Task FirstStart_DatabaseFilesAreOwnerOnly()
    {
        await using var app = new CapsuleApp();
        _ = app.AdminKey;

        var files = Directory.GetFiles(app.DataDirectory, "capsule.db*");

        Assert.Contains(Path.Combine(app.DataDirectory, "capsule.db"), files);
        Assert.All(files, f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(app.DataDirectory));
    }

    [Fact]
    public async Task SecondStart_KeepsTheFirstKeyAndPrintsNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var dataDirectory = Directory.CreateTempSubdirectory("capsule-st-").FullName;
        try
        {
            string firstKey;
            await using (var first = new CapsuleApp(dataDirectory))
                firstKey = first.AdminKey;

            await using var second = new CapsuleApp(dataDirectory);
            Assert.Equal(firstKey, second.AdminKey);
            Assert.Equal("", second.Banner.ToString());
            using var client = second.Client(apiKey: null);
            await client.CreateSessionAsync(firstKey, ct);
            Assert.Single(ReadApiKeys(dataDirectory));
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static List<Dictionary<string, string>> ReadApiKeys(string dataDirectory)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "capsule.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM api_keys";
        using var reader = command.ExecuteReader();
        var rows = new List<Dictionary<string, string>>();
        while (reader.Read())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).ToDictionary(
                reader.GetName, i => reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!));
        }
        return rows;
    }
}
