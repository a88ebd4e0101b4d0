using System.Buffers.Binary;
using System.Text;

namespace Capsule.Vm.Network.Egress;

/// <summary>
/// Reads the name a guest's connection is for from its first bytes, without answering it: the HTTP <c>Host</c> header
/// (port 80) or the TLS ClientHello's server name (port 443). Everything read is kept, to be sent on unchanged.
/// </summary>
internal static class DestinationSniffer
{
    /// <summary>The most read while looking for the name: a request head, or one TLS record.</summary>
    public const int MaxBytes = 5 + 16 * 1024 + 256;

    /// <summary>What was read, and the name in it (null when there is none: no Host header, no SNI, not HTTP or TLS).</summary>
    public sealed record Sniffed(byte[] Buffer, int Length, string? Name);

    public static async Task<Sniffed> ReadAsync(Stream stream, ProxyKind kind, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
                break;
            length += read;
            var state = kind == ProxyKind.Http ? HttpHost(buffer.AsSpan(0, length), out var name) : TlsServerName(buffer.AsSpan(0, length), out name);
            if (state != Parse.NeedMore)
                return new Sniffed(buffer, length, state == Parse.Found ? DomainPatterns.Normalize(name) : null);
        }
        return new Sniffed(buffer, length, null);
    }

    public enum Parse
    {
        NeedMore,
        Found,
        Absent,
    }

    /// <summary>The <c>Host</c> header of a request head (its port removed).</summary>
    public static Parse HttpHost(ReadOnlySpan<byte> data, out string? host)
    {
        host = null;
        var end = data.IndexOf("\r\n\r\n"u8);
        if (end < 0)
            return data.Length >= MaxBytes ? Parse.Absent : Parse.NeedMore;
        var head = Encoding.Latin1.GetString(data[..end]);
        foreach (var line in head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !line.AsSpan(0, colon).Trim().Equals("host", StringComparison.OrdinalIgnoreCase))
                continue;
            var value = line[(colon + 1)..].Trim();
            if (value.StartsWith('['))
                return Parse.Absent; // an IPv6 literal: no name
            var port = value.LastIndexOf(':');
            host = port >= 0 ? value[..port] : value;
            return host.Length > 0 ? Parse.Found : Parse.Absent;
        }
        return Parse.Absent;
    }

    /// <summary>
    /// The host name in a TLS ClientHello's server_name extension (RFC 6066 §3), read from the first record:
    /// 1. record header: type 22 (handshake), version, length; 2. handshake header: type 1 (ClientHello), length;
    /// 3. version, random, session id, cipher suites, compression methods; 4. extensions, to type 0, its host_name entry.
    /// </summary>
    public static Parse TlsServerName(ReadOnlySpan<byte> data, out string? name)
    {
        name = null;
        if (data.Length < 5)
            return Parse.NeedMore;
        if (data[0] != 22)
            return Parse.Absent;
        var recordLength = BinaryPrimitives.ReadUInt16BigEndian(data[3..]);
        if (data.Length < 5 + recordLength)
            return Parse.NeedMore;
        var hello = data.Slice(5, recordLength);
        try
        {
            if (hello[0] != 1)
                return Parse.Absent;
            var helloLength = (hello[1] << 16) | (hello[2] << 8) | hello[3];
            var body = hello.Slice(4, Math.Min(helloLength, hello.Length - 4));
            var at = 2 + 32;                            // client_version, random
            at += 1 + body[at];                         // session_id
            at += 2 + BinaryPrimitives.ReadUInt16BigEndian(body[at..]); // cipher_suites
            at += 1 + body[at];                         // compression_methods
            if (at + 2 > body.Length)
                return Parse.Absent;                    // no extensions
            var extensionsEnd = at + 2 + BinaryPrimitives.ReadUInt16BigEndian(body[at..]);
            at += 2;
            while (at + 4 <= extensionsEnd && at + 4 <= body.Length)
            {
                var type = BinaryPrimitives.ReadUInt16BigEndian(body[at..]);
                var length = BinaryPrimitives.ReadUInt16BigEndian(body[(at + 2)..]);
                var extension = body.Slice(at + 4, length);
                if (type == 0)
                {
                    // server_name_list: length, then entries of type (0 = host_name), length, name.
                    var entry = extension[2..];
                    while (entry.Length >= 3)
                    {
                        var nameLength = BinaryPrimitives.ReadUInt16BigEndian(entry[1..]);
                        if (entry[0] == 0)
                        {
                            name = Encoding.ASCII.GetString(entry.Slice(3, nameLength));
                            return Parse.Found;
                        }
                        entry = entry[(3 + nameLength)..];
                    }
                    return Parse.Absent;
                }
                at += 4 + length;
            }
            return Parse.Absent;
        }
        catch (ArgumentOutOfRangeException)
        {
            return Parse.Absent; // truncated or malformed: no name
        }
        catch (IndexOutOfRangeException)
        {
            return Parse.Absent;
        }
    }
}
