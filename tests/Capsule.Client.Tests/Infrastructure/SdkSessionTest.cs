namespace Capsule.Client.Tests.Infrastructure;

/// <summary>
/// An in-process server with a fake machine host, an SDK client with the admin key, and one session: what the SDK
/// tests that work on a session start from. Disposed after each test.
/// </summary>
public abstract class SdkSessionTest : IAsyncLifetime
{
    internal CapsuleApp App { get; } = new();
    protected CapsuleClient Client { get; private set; } = null!;
    protected Session Session { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Client = App.Sdk(App.AdminKey);
        Session = await Client.CreateSessionAsync(cancellationToken: Bounded.Token).Bound();
    }

    public virtual async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
