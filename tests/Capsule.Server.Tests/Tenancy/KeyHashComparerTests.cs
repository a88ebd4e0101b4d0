using Capsule.Server.Auth;

namespace Capsule.Server.Tests.Tenancy;

/// <summary>The constant-time compare that makes the final authentication decision.</summary>
public sealed class KeyHashComparerTests
{
    private static readonly string Stored = ApiKeyFormat.Hash("capsule_sk_example");

    [Fact]
    public void HashesEqual_SameHash_True() =>
        Assert.True(KeyHashComparer.HashesEqual(Stored, new string(Stored.AsSpan())));

    [Fact]
    public void HashesEqual_FirstCharacterDiffers_False() =>
        Assert.False(KeyHashComparer.HashesEqual(Stored, Flip(Stored, 0)));

    [Fact]
    public void HashesEqual_LastCharacterDiffers_False() =>
        Assert.False(KeyHashComparer.HashesEqual(Stored, Flip(Stored, Stored.Length - 1)));

    [Fact]
    public void HashesEqual_DifferentLengths_False()
    {
        Assert.False(KeyHashComparer.HashesEqual(Stored, Stored[..^1]));
        Assert.False(KeyHashComparer.HashesEqual(Stored, Stored + "0"));
        Assert.False(KeyHashComparer.HashesEqual(Stored, ""));
    }

    [Fact]
    public void HashesEqual_HashOfAnotherKey_False() =>
        Assert.False(KeyHashComparer.HashesEqual(Stored, ApiKeyFormat.Hash("capsule_sk_examplf")));

    private static string Flip(string hex, int index)
    {
        var chars = hex.ToCharArray();
        chars[index] = chars[index] == '0' ? '1' : '0';
        return new string(chars);
    }
}
