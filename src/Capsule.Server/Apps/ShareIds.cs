using System.Buffers;
using System.Security.Cryptography;

namespace Capsule.Server.Apps;

/// <summary>Share ids: 128 random bits in lower-case base32 (26 characters), so a URL cannot be guessed from another.</summary>
internal static class ShareIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    private static readonly SearchValues<char> AlphabetValues = SearchValues.Create(Alphabet);

    public static string New()
    {
        Span<byte> bytes = stackalloc byte[17];
        RandomNumberGenerator.Fill(bytes);
        Span<char> chars = stackalloc char[26];
        for (var i = 0; i < chars.Length; i++)
        {
            var bit = i * 5;
            var value = (bytes[bit / 8] << 8 | bytes[(bit / 8) + 1]) >> (11 - (bit % 8)) & 31;
            chars[i] = Alphabet[value];
        }
        return new string(chars);
    }

    /// <summary>Whether <paramref name="text"/> has the shape of a share id (so junk never reaches the store).</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> text) =>
        text.Length == 26 && !text.ContainsAnyExcept(AlphabetValues);
}
