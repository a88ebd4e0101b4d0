using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Capsule.Server.Files;

/// <summary>
/// A download as InstaVM's JSON, <c>{"status":"success","filename":...,"content":"&lt;base64&gt;","size":n}</c>, built as
/// the bytes arrive: the prefix, then base64 of each chunk (up to 2 bytes are carried to the next chunk so groups of 3
/// stay aligned), then the padding and the size. The file is never whole in memory, nor is its base64.
/// </summary>
internal sealed class Base64JsonDownloadStream(HttpResponse response, string fileName) : DownloadStream(response)
{
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
    private readonly byte[] _carry = new byte[3];
    private int _carried;

    protected override async Task StartAsync(CancellationToken cancellationToken)
    {
        Response.StatusCode = StatusCodes.Status200OK;
        Response.ContentType = "application/json";
        var prefix = $"{{\"status\":\"success\",\"filename\":\"{JsonEncodedText.Encode(fileName, Encoder)}\",\"content\":\"";
        await Response.Body.WriteAsync(Encoding.UTF8.GetBytes(prefix), cancellationToken);
    }

    protected override async ValueTask WriteContentAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var output = ArrayPool<byte>.Shared.Rent(Base64.GetMaxEncodedToUtf8Length(content.Length + _carried));
        try
        {
            var written = 0;
            if (_carried > 0)
            {
                var take = Math.Min(3 - _carried, content.Length);
                content.Span[..take].CopyTo(_carry.AsSpan(_carried));
                _carried += take;
                content = content[take..];
                if (_carried < 3)
                    return;
                Base64.EncodeToUtf8(_carry, output, out _, out written);
                _carried = 0;
            }
            var whole = content.Length - content.Length % 3;
            Base64.EncodeToUtf8(content.Span[..whole], output.AsSpan(written), out _, out var bulk, isFinalBlock: false);
            written += bulk;
            content.Span[whole..].CopyTo(_carry);
            _carried = content.Length - whole;
            await Response.Body.WriteAsync(output.AsMemory(0, written), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    protected override async Task FinishAsync(long size, CancellationToken cancellationToken)
    {
        var tail = new byte[4];
        var written = 0;
        if (_carried > 0)
            Base64.EncodeToUtf8(_carry.AsSpan(0, _carried), tail, out _, out written);
        _carried = 0;
        await Response.Body.WriteAsync(tail.AsMemory(0, written), cancellationToken);
        var suffix = $"\",\"size\":{size.ToString(CultureInfo.InvariantCulture)}}}";
        await Response.Body.WriteAsync(Encoding.UTF8.GetBytes(suffix), cancellationToken);
    }
}
