using System.Security.Cryptography;

namespace Capsule.Server.Tests.Infrastructure;

/// <summary>
/// A read-only stream of <c>length</c> pseudo-random bytes made on the fly (never held in memory), hashing what it
/// hands out so a test can compare SHA-256 at the other end.
/// </summary>
internal sealed class GeneratedStream(long length, ulong seed) : ForwardOnlyReadStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private ulong _state = seed | 1;
    private long _position;
    private byte[]? _sha256;

    /// <summary>The SHA-256 of every byte handed out; final once the stream was read to its end.</summary>
    public byte[] Sha256 => _sha256 ?? _hash.GetCurrentHash();

    public override long Length => length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, length - _position);
        var span = buffer[..count];
        for (var i = 0; i < span.Length; i++)
        {
            // xorshift64: cheap, deterministic, incompressible enough to defeat any accidental shortcut.
            _state ^= _state << 13;
            _state ^= _state >> 7;
            _state ^= _state << 17;
            span[i] = (byte)_state;
        }
        _hash.AppendData(span);
        _position += count;
        if (_position == length)
            _sha256 ??= _hash.GetCurrentHash();
        return count;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _hash.Dispose();
        base.Dispose(disposing);
    }
}
