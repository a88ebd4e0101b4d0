using System.Collections.Concurrent;
using Capsule.Vm;
using GuestChunk = Capsule.Vm.OutputChunk;

namespace Capsule.Client.Tests.Infrastructure;

/// <summary>
/// An in-memory machine: execs come from the host's script, files live in a dictionary with the agent's rules
/// (absolute paths only; a directory cannot be read or overwritten), env is recorded.
/// </summary>
internal sealed class FakeMachine(string machineId, MachineSpec spec, FakeMachineHost host) : IMachine
{
    private readonly TaskCompletionSource<MachineExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ExecRequest> _execs = new();

    public string MachineId { get; } = machineId;

    public MachineSpec Spec { get; } = spec;

    public int MemoryMb => Spec.MemoryMb;

    public Task<MachineExit> Exited => _exited.Task;

    public bool IsDisposed { get; private set; }

    public IReadOnlyDictionary<string, byte[]> Files => _files;

    public IReadOnlyList<ExecRequest> Execs => [.. _execs];

    public Task SetEnvAsync(IReadOnlyDictionary<string, string> env, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<ExecResult> ExecAsync(ExecRequest request, Func<GuestChunk, ValueTask>? onOutput, CancellationToken cancellationToken)
    {
        ThrowIfGone();
        _execs.Enqueue(request);
        return host.RunScriptAsync(request, onOutput, cancellationToken);
    }

    public async Task<long> WriteFileAsync(string path, Stream content, CancellationToken cancellationToken)
    {
        ThrowIfGone();
        CheckPath(path);
        if (_files.Keys.Any(file => file.StartsWith(path.TrimEnd('/') + "/", StringComparison.Ordinal)))
            throw new MachineException(MachineErrorCode.IsDirectory, path);
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        _files[path] = buffer.ToArray();
        return buffer.Length;
    }

    public async Task<long> ReadFileAsync(string path, Stream destination, CancellationToken cancellationToken)
    {
        ThrowIfGone();
        CheckPath(path);
        if (!_files.TryGetValue(path, out var bytes))
        {
            if (_files.Keys.Any(file => file.StartsWith(path.TrimEnd('/') + "/", StringComparison.Ordinal)))
                throw new MachineException(MachineErrorCode.IsDirectory, path);
            throw new MachineException(MachineErrorCode.FileNotFound, path);
        }
        await destination.WriteAsync(bytes, cancellationToken);
        return bytes.Length;
    }

    public Task<MachineStats> GetStatsAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new MachineStats { MemTotalMb = MemoryMb, MemUsedMb = 64, CpuTime = TimeSpan.FromSeconds(1), Uptime = TimeSpan.FromSeconds(5) });

    public ValueTask DisposeAsync()
    {
        IsDisposed = true;
        _exited.TrySetResult(new MachineExit(MachineExitReason.Destroyed, "disposed"));
        return ValueTask.CompletedTask;
    }

    private static void CheckPath(string path)
    {
        if (!path.StartsWith('/'))
            throw new MachineException(MachineErrorCode.InvalidPath, path);
    }

    private void ThrowIfGone()
    {
        if (IsDisposed || _exited.Task.IsCompleted)
            throw new MachineException(MachineErrorCode.MachineGone, $"Machine {MachineId} is gone");
    }
}
