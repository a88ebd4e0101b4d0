namespace Capsule.Vm.Tests.Support;

internal static class TestTimeouts
{
    /// <summary>Bounds every await on a fake peer: generous, only there so a bug fails instead of hanging.</summary>
    public static readonly TimeSpan Protocol = TimeSpan.FromSeconds(30);

    public static Task<T> Bounded<T>(this Task<T> task) =>
        task.WaitAsync(Protocol, TestContext.Current.CancellationToken);

    public static Task Bounded(this Task task) =>
        task.WaitAsync(Protocol, TestContext.Current.CancellationToken);

    public static Task<T> Bounded<T>(this ValueTask<T> task) => task.AsTask().Bounded();

    public static Task Bounded(this ValueTask task) => task.AsTask().Bounded();
}
