namespace Capsule.Client.Tests.Sdk;

/// <summary>API key management through <see cref="CapsuleClient.ApiKeys"/>.</summary>
public sealed class ApiKeyTests : IAsyncLifetime
{
    private readonly CapsuleApp _app = new();
    private CapsuleClient _admin = null!;

    public ValueTask InitializeAsync()
    {
        _admin = _app.Sdk(_app.AdminKey);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task CreateAsync_ByAdmin_ReturnsAWorkingSecretOnce()
    {
        var created = await _admin.ApiKeys.CreateAsync("ci runner", cancellationToken: Bounded.Token).Bound();
        using var asNewKey = _app.Sdk(created.ApiKey);

        var seenByItself = await asNewKey.ApiKeys.ListAsync(Bounded.Token).Bound();

        Assert.StartsWith("capsule_sk_", created.ApiKey, StringComparison.Ordinal);
        Assert.StartsWith("key_", created.Id, StringComparison.Ordinal);
        Assert.Equal("ci runner", created.Description);
        Assert.False(created.IsAdmin);
        Assert.Equal(CapsuleApp.Epoch, created.CreatedAt);
        var self = Assert.Single(seenByItself);
        Assert.Equal(created.Id, self.Id);
        Assert.True(created.ApiKey.StartsWith(self.KeyPrefix!, StringComparison.Ordinal), $"prefix {self.KeyPrefix}");
    }

    [Fact]
    public async Task CreateAsync_Result_ToStringHidesTheSecret()
    {
        var created = await _admin.ApiKeys.CreateAsync("logged", cancellationToken: Bounded.Token).Bound();

        var text = created.ToString();

        Assert.DoesNotContain(created.ApiKey, text, StringComparison.Ordinal);
        Assert.Contains(created.Id, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAsync_Admin_SeesEveryKey()
    {
        var created = await _admin.ApiKeys.CreateAsync("other", cancellationToken: Bounded.Token).Bound();

        var keys = await _admin.ApiKeys.ListAsync(Bounded.Token).Bound();

        Assert.Contains(keys, k => k.Id == created.Id && !k.IsAdmin && k.RevokedAt is null);
        Assert.Contains(keys, k => k.IsAdmin);
    }

    [Fact]
    public async Task UpdateAsync_Description_IsWhatGetAsyncReturns()
    {
        var created = await _admin.ApiKeys.CreateAsync("before", cancellationToken: Bounded.Token).Bound();

        var updated = await _admin.ApiKeys.UpdateAsync(created.Id, "after", Bounded.Token).Bound();
        var read = await _admin.ApiKeys.GetAsync(created.Id, Bounded.Token).Bound();

        Assert.Equal("after", updated.Description);
        Assert.Equal("after", read.Description);
    }

    [Fact]
    public async Task RevokeAsync_Key_ItsNextCallThrowsAuthentication()
    {
        var created = await _admin.ApiKeys.CreateAsync("short-lived", cancellationToken: Bounded.Token).Bound();
        using var asKey = _app.Sdk(created.ApiKey);
        await asKey.CreateSessionAsync(cancellationToken: Bounded.Token).Bound();

        await _admin.ApiKeys.RevokeAsync(created.Id, Bounded.Token).Bound();
        var error = await Assert.ThrowsAsync<AuthenticationException>(() => asKey.CreateSessionAsync(cancellationToken: Bounded.Token)).Bound();
        var listed = await _admin.ApiKeys.GetAsync(created.Id, Bounded.Token).Bound();

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.NotNull(listed.RevokedAt);
    }

    [Fact]
    public async Task CreateAsync_AdminKeyByNonAdmin_ThrowsForbidden()
    {
        using var plain = _app.Sdk((await _app.CreateKeyAsync(Bounded.Token)).Key);

        var error = await Assert.ThrowsAsync<AuthenticationException>(
            () => plain.ApiKeys.CreateAsync("sneaky", isAdmin: true, Bounded.Token)).Bound();

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
    }

    [Fact]
    public async Task CreateAsync_AdminFlag_CreatesAdminKey()
    {
        var created = await _admin.ApiKeys.CreateAsync("second admin", isAdmin: true, Bounded.Token).Bound();

        Assert.True(created.IsAdmin);
        Assert.True((await _admin.ApiKeys.GetAsync(created.Id, Bounded.Token).Bound()).IsAdmin);
    }

    [Fact]
    public async Task GetAsync_UnknownKey_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<NotFoundException>(() => _admin.ApiKeys.GetAsync("key_000000000000", Bounded.Token)).Bound();

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
    }
}
