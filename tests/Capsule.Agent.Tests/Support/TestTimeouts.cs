namespace Capsule.Agent.Tests.Support;

/// <summary>Bounds for every await in the tests: generous, since CI machines are slow and shared.</summary>
internal static class TestTimeouts
{
    public static readonly TimeSpan Start = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan Request = TimeSpan.FromSeconds(60);

    public static CancellationToken Token => TestContext.Current.CancellationToken;

    public static Task<T> Bounded<T>(this Task<T> task, TimeSpan? limit = null) =>
        task.WaitAsync(limit ?? Request, Token);

    public static Task Bounded(this Task task, TimeSpan? limit = null) =>
        task.WaitAsync(limit ?? Request, Token);

    /// <summary>Polls a condition every 50 ms until it holds or the limit passes; returns whether it held.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                return false;
            await Task.Delay(50, Token);
        }
        return true;
    }
}
