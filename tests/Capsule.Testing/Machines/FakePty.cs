using System.Text;
using System.Threading.Channels;
using Capsule.Vm;

namespace Capsule.Testing.Machines;

/// <summary>
/// An in-process terminal for server tests: it echoes what is typed, and a typed line runs one of
/// <c>exit N</c> (the shell exits with N), <c>flood</c> (it prints 1 KiB chunks until killed) or <c>pid</c> (prints
/// <see cref="Pid"/>). Output waits in a bounded queue of <see cref="QueueChunks"/> chunks, as the real one waits for
/// credit, so <see cref="PrintedBytes"/> shows how far a guest got while nobody read. Disposing it kills the shell (137).
/// </summary>
internal sealed class FakePty : IMachinePty
{
    public const int QueueChunks = 16;
    public const int FloodChunkBytes = 1024;

    private static int _lastPid = 1000;

    private readonly Channel<byte[]> _output = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(QueueChunks) { SingleReader = true });
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _killed = new();
    private readonly StringBuilder _line = new();
    private readonly Lock _gate = new();
    private readonly List<(int Cols, int Rows)> _sizes = [];
    private byte[] _pending = [];
    private long _printed;

    public FakePty(PtyRequest request)
    {
        Request = request;
        _sizes.Add((request.Cols, request.Rows));
    }

    public PtyRequest Request { get; }

    public int Pid { get; } = Interlocked.Increment(ref _lastPid);

    public long PrintedBytes => Interlocked.Read(ref _printed);

    public IReadOnlyList<(int Cols, int Rows)> Sizes
    {
        get
        {
            lock (_gate)
                return [.. _sizes];
        }
    }

    public Task<int> Exited => _exited.Task;

    public bool IsKilled => _killed.IsCancellationRequested;

    public async Task WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken)
    {
        ThrowIfEnded();
        await PrintAsync(input.ToArray(), cancellationToken);
        foreach (var c in Encoding.UTF8.GetString(input.Span))
        {
            if (c is not ('\r' or '\n'))
            {
                _line.Append(c);
                continue;
            }
            var line = _line.ToString().Trim();
            _line.Clear();
            if (line.StartsWith("exit", StringComparison.Ordinal))
                End(int.TryParse(line.AsSpan(4).Trim(), out var code) ? code : 0);
            else if (line == "flood")
                _ = Task.Run(FloodAsync, CancellationToken.None);
            else if (line == "pid")
                await PrintAsync(Encoding.UTF8.GetBytes($"\r\n{Pid}\r\n"), cancellationToken);
        }
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (_pending.Length == 0)
        {
            try
            {
                if (!await _output.Reader.WaitToReadAsync(cancellationToken))
                    return 0;
            }
            catch (ChannelClosedException e) when (e.InnerException is MachineException gone)
            {
                throw new MachineException(gone.Code, gone.Message, gone);
            }
            _output.Reader.TryRead(out var next);
            _pending = next ?? [];
        }
        var n = Math.Min(buffer.Length, _pending.Length);
        _pending.AsSpan(0, n).CopyTo(buffer.Span);
        _pending = _pending[n..];
        return n;
    }

    public Task ResizeAsync(int cols, int rows, CancellationToken cancellationToken)
    {
        ThrowIfEnded();
        lock (_gate)
            _sizes.Add((cols, rows));
        return Task.CompletedTask;
    }

    /// <summary>The machine went away: everything fails with MachineGone.</summary>
    public void Fail(string machineId)
    {
        var gone = new MachineException(MachineErrorCode.MachineGone, $"Machine {machineId} is gone");
        _killed.Cancel();
        _exited.TrySetException(gone);
        _output.Writer.TryComplete(gone);
    }

    public ValueTask DisposeAsync()
    {
        End(137);
        return ValueTask.CompletedTask;
    }

    private void End(int exitCode)
    {
        _killed.Cancel();
        _exited.TrySetResult(exitCode);
        _output.Writer.TryComplete();
    }

    private async Task PrintAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _killed.Token);
        try
        {
            await _output.Writer.WriteAsync(bytes, linked.Token);
            Interlocked.Add(ref _printed, bytes.Length);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException && _killed.IsCancellationRequested)
        {
            // Killed meanwhile: what it printed is lost, as on a real terminal.
        }
    }

    private async Task FloodAsync()
    {
        var chunk = new byte[FloodChunkBytes];
        Array.Fill(chunk, (byte)'y');
        while (!_killed.IsCancellationRequested)
            await PrintAsync(chunk, CancellationToken.None);
    }

    private void ThrowIfEnded()
    {
        if (_exited.Task.IsFaulted)
            throw new MachineException(MachineErrorCode.MachineGone, "The machine is gone");
    }
}
