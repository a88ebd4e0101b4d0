using System.Security.Cryptography;

namespace Capsule.Server.Auth;

/// <summary>The one way the server makes a secret: 32 random bytes in base64url, no padding (43 characters).</summary>
internal static class SecretToken
{
    public static string New() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
