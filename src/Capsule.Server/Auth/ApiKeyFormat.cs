using System.Security.Cryptography;
using System.Text;

namespace Capsule.Server.Auth;

/// <summary>
/// Keys are <c>capsule_sk_</c> + 32 random bytes in base64url (no padding). Only their SHA-256 is stored;
/// key ids (<c>key_</c> + 12 hex digits) are what logs show.
/// </summary>
internal static class ApiKeyFormat
{
    public const string Prefix = "capsule_sk_";

    public static string NewKey() => Prefix + SecretToken.New();

    public static string NewId() => "key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>What lists show of a key: the prefix and 4 more characters (e.g. "capsule_sk_AbCd").</summary>
    public static string Visible(string key) => key[..Math.Min(key.Length, Prefix.Length + 4)];

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
