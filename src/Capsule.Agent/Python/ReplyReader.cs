using System.Buffers.Binary;
using System.Text.Json;

namespace Capsule.Agent.Python;

/// <summary>Collects bytes from the reply pipe until one whole length-prefixed record has arrived.</summary>
internal sealed class ReplyReader
{
    private byte[] _data = new byte[256];
    private int _length;

    public void Reset() => _length = 0;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_length + bytes.Length > _data.Length)
            Array.Resize(ref _data, Math.Max(_data.Length * 2, _length + bytes.Length));
        bytes.CopyTo(_data.AsSpan(_length));
        _length += bytes.Length;
    }

    public bool TryTake(out KernelReply reply)
    {
        reply = null!;
        if (_length < 4)
            return false;
        var size = BinaryPrimitives.ReadInt32BigEndian(_data);
        if (_length < 4 + size)
            return false;
        reply = JsonSerializer.Deserialize(_data.AsSpan(4, size), KernelJsonContext.Default.KernelReply)
            ?? throw new InvalidDataException("The python kernel sent a null reply.");
        _data.AsSpan(4 + size, _length - 4 - size).CopyTo(_data);
        _length -= 4 + size;
        return true;
    }
}
