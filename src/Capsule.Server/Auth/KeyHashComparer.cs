using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Capsule.Server.Auth;

/// <summary>
/// The last step of authentication: is the stored hash the hash of the presented key? Compared in constant time.
/// <para>
/// Why hash lookup followed by a fixed-time compare leaks nothing useful: the store is searched by SHA-256 of the
/// presented key, never by the key. Whatever the index lookup's timing reveals is how the hash of the attacker's own
/// guess relates to stored hashes (e.g. a shared prefix). SHA-256 is preimage-resistant, so knowing stored hash bytes
/// does not help build a key that hashes to them, and a guess's hash cannot be steered towards a stored one byte by byte;
/// keys are 256 random bits, so guessing is hopeless anyway. The final equality check must not add a per-byte early
/// exit of its own (a store matching by prefix, a case-folding collation, a future store without an index), so it runs
/// over every byte with <see cref="CryptographicOperations.FixedTimeEquals"/>. Lengths are public (hashes are all 64
/// hex digits), so a length mismatch may return at once.
/// </para>
/// </summary>
internal static class KeyHashComparer
{
    /// <summary>True when both hashes are the same string, compared without data-dependent early exit.</summary>
    public static bool HashesEqual(string storedHash, string computedHash) =>
        CryptographicOperations.FixedTimeEquals(
            MemoryMarshal.AsBytes(storedHash.AsSpan()), MemoryMarshal.AsBytes(computedHash.AsSpan()));
}
