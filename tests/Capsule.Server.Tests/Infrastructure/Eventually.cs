namespace Capsule.Server.Tests.Infrastructure;

/// <summary>Waits for something a background task does (e.g. an expiry after the fake clock moved). Bounded.</summary>
internal static class Eventually
{
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
                return;
            await Task.Delay(10, cancellationToken);
        }
        Assert.Fail($"Never happened: {what}");
    }
}
