namespace Capsule.Client.Tests.Infrastructure;

/// <summary>How long a test waits for anything before it fails: generous, never a speed assertion.</summary>
internal static class Bounded
{
    public static readonly TimeSpan Call = TimeSpan.FromSeconds(30);

    public static CancellationToken Token => TestContext.Current.CancellationToken;

    public static Task<T> Bound<T>(this Task<T> task) => task.WaitAsync(Call, Token);

    public static Task Bound(this Task task) => task.WaitAsync(Call, Token);

    /// <summary>Collects a whole stream (bounded).</summary>
    public static async Task<List<T>> ToListAsync<T>(this IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items.WithCancellation(Token))
            list.Add(item);
        return list;
    }
}
