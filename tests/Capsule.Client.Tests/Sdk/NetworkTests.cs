namespace Capsule.Client.Tests.Sdk;

/// <summary>Egress policies and shares through the SDK against the real server (fake machines).</summary>
public sealed class NetworkTests : IAsyncLifetime
{
    private readonly CapsuleApp _app = new();
    private CapsuleClient _client = null!;

    public ValueTask InitializeAsync()
    {
        _client = _app.Sdk(_app.AdminKey);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Egress_GetThenSetDenyAll_AnswersThePolicyInForce()
    {
        var session = await _client.CreateSessionAsync(new SessionOptions(), Bounded.Token).Bound();

        var before = await session.GetEgressAsync(Bounded.Token).Bound();
        var set = await session.SetEgressAsync(EgressPolicy.DenyAll, Bounded.Token).Bound();
        var after = await session.GetEgressAsync(Bounded.Token).Bound();

        Assert.False(before.AllowHttps);
        Assert.Empty(before.AllowedDomains);
        Assert.False(set.AllowPackageManagers || set.AllowHttp || set.AllowHttps);
        Assert.Empty(set.AllowedDomains);
        Assert.False(after.AllowPackageManagers || after.AllowHttp || after.AllowHttps);
        Assert.Empty(after.AllowedCidrs);
    }

    [Fact]
    public async Task Egress_MalformedCidr_IsAValidationErrorNamingTheField()
    {
        var session = await _client.CreateSessionAsync(new SessionOptions(), Bounded.Token).Bound();

        var error = await Assert.ThrowsAsync<ValidationException>(() =>
            session.SetEgressAsync(new EgressPolicy { AllowedCidrs = ["10.0.0.0/99"] }, Bounded.Token)).Bound();

        Assert.Contains(error.Errors, e => e.Location.Contains("allowed_cidrs"));
    }

    [Fact]
    public async Task Egress_UnknownSession_IsSessionNotFound()
    {
        var session = _client.GetSession(Guid.NewGuid().ToString());

        await Assert.ThrowsAsync<SessionNotFoundException>(() => session.GetEgressAsync(Bounded.Token)).Bound();
        await Assert.ThrowsAsync<SessionNotFoundException>(() => session.SetEgressAsync(EgressPolicy.DenyAll, Bounded.Token)).Bound();
    }

    [Fact]
    public async Task Shares_CreateListUpdateRevoke_EachAnswerTheShare()
    {
        var session = await _client.CreateSessionAsync(new SessionOptions(), Bounded.Token).Bound();

        var share = await session.ShareAsync(8000, isPublic: true, Bounded.Token).Bound();
        var other = await _client.Shares.CreateAsync(session.Id, 3000, cancellationToken: Bounded.Token).Bound();
        var list = await _client.Shares.ListAsync(Bounded.Token).Bound();
        var madePrivate = await _client.Shares.UpdateAsync(share.ShareId, isPublic: false, Bounded.Token).Bound();
        var revoked = await _client.Shares.RevokeAsync(share.ShareId, Bounded.Token).Bound();
        var again = await Assert.ThrowsAsync<CapsuleApiException>(() => _client.Shares.RevokeAsync(share.ShareId, Bounded.Token)).Bound();

        Assert.Matches("^[a-z2-7]{26}$", share.ShareId);
        Assert.Equal(session.Id, share.SessionId);
        Assert.Equal(8000, share.Port);
        Assert.True(share.IsPublic);
        Assert.Equal(new Uri($"http://127.0.0.1:8079/{share.ShareId}/"), share.Url);
        Assert.Equal("active", share.Status);
        Assert.Equal(CapsuleApp.Epoch, share.CreatedAt);
        Assert.False(other.IsPublic);
        Assert.Equal(new[] { other.ShareId, share.ShareId }.Order(), list.Select(s => s.ShareId).Order());
        Assert.False(madePrivate.IsPublic);
        Assert.True(revoked.IsRevoked);
        Assert.Equal("revoked", revoked.Status);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task Shares_CreateToken_AnswersAOneTimeUrlOnTheShare()
    {
        var session = await _client.CreateSessionAsync(new SessionOptions(), Bounded.Token).Bound();
        var share = await session.ShareAsync(8000, cancellationToken: Bounded.Token).Bound();

        var token = await _client.Shares.CreateTokenAsync(share.ShareId, Bounded.Token).Bound();
        var second = await _client.Shares.CreateTokenAsync(share.ShareId, Bounded.Token).Bound();

        Assert.Equal(share.ShareId, token.ShareId);
        Assert.Equal(new Uri($"{share.Url}?capsule_share_token={token.Token}"), token.Url);
        Assert.Equal(TimeSpan.FromSeconds(60), token.ExpiresIn);
        Assert.Equal(CapsuleApp.Epoch.AddSeconds(60), token.ExpiresAt);
        Assert.NotEqual(token.Token, second.Token);
    }

    [Fact]
    public async Task Shares_UnknownShareOrSession_IsNotFound()
    {
        await Assert.ThrowsAsync<NotFoundException>(() => _client.Shares.CreateTokenAsync("abcdefghijklmnopqrstuvwxyz", Bounded.Token)).Bound();
        await Assert.ThrowsAsync<NotFoundException>(() => _client.Shares.UpdateAsync("abcdefghijklmnopqrstuvwxyz", true, Bounded.Token)).Bound();
        await Assert.ThrowsAsync<SessionNotFoundException>(() => _client.Shares.CreateAsync(Guid.NewGuid().ToString(), 80, cancellationToken: Bounded.Token)).Bound();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _client.Shares.CreateAsync(Guid.NewGuid().ToString(), 0, cancellationToken: Bounded.Token));
    }
}
