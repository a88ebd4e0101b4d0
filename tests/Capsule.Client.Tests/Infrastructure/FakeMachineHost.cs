using System.Collections.Concurrent;
using Capsule.Vm;
using GuestChunk = Capsule.Vm.OutputChunk;

namespace Capsule.Client.Tests.Infrastructure;

/// <summary>
/// An in-memory <see cref="IMachineHost"/>: hands out <see cref="FakeMachine"/>s and answers execs from a per-code
/// script (default: echo the code on stdout, exit 0).
/// </summary>
internal sealed class FakeMachineHost : IMachineHost
{
    public delegate Task<ExecResult> ExecScript(ExecRequest request, Func<GuestChunk, ValueTask>? onOutput, CancellationToken cancellationToken);

    private readonly ConcurrentDictionary<string, ExecScript> _scripts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeMachine> _started = new();
    private int _nextId;

    public AcceleratorInfo Accelerator { get; } = new("tcg", "no usable KVM (test host)");

    public IReadOnlyList<FakeMachine> Started => [.. _started];

    public void Script(string code, ExecScript script) => _scripts[code] = script;

    public Task<IMachine> StartAsync(MachineSpec spec, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var machine = new FakeMachine($"vm-fake{Interlocked.Increment(ref _nextId):D4}", spec, this);
        _started.Enqueue(machine);
        return Task.FromResult<IMachine>(machine);
    }

    internal async Task<ExecResult> RunScriptAsync(ExecRequest request, Func<GuestChunk, ValueTask>? onOutput, CancellationToken cancellationToken)
    {
        if (_scripts.TryGetValue(request.Code, out var script))
            return await script(request, onOutput, cancellationToken);
        var text = request.Code + "\n";
        if (onOutput is not null)
            await onOutput(new GuestChunk(OutputStreamKind.Stdout, text));
        return Result(stdout: text);
    }

    public static ExecResult Result(string stdout = "", string stderr = "", int exitCode = 0, bool timedOut = false) => new()
    {
        Stdout = stdout,
        Stderr = stderr,
        ExitCode = exitCode,
        TimedOut = timedOut,
        WallTime = TimeSpan.FromSeconds(0.25),
        CpuTime = TimeSpan.FromSeconds(0.125),
    };
}
