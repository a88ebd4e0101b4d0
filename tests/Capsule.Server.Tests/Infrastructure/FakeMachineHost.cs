using System.Collections.Concurrent;
using Capsule.Vm;

namespace Capsule.Server.Tests.Infrastructure;

/// <summary>
/// A real in-memory <see cref="IMachineHost"/>: it hands out <see cref="FakeMachine"/>s, keeps every one it started,
/// and answers execs from a per-code script (default: echo the code on stdout, exit 0).
/// </summary>
internal sealed class FakeMachineHost : IMachineHost
{
    public delegate Task<ExecResult> ExecScript(FakeMachine machine, ExecRequest request, CancellationToken cancellationToken);

    private readonly ConcurrentDictionary<string, ExecScript> _scripts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeMachine> _started = new();
    private int _nextId;

    public AcceleratorInfo Accelerator { get; } = new("tcg", "no usable KVM (test host)");

    /// <summary>When set, the next start throws it (and clears it).</summary>
    public MachineException? FailNextStart { get; set; }

    public IReadOnlyList<FakeMachine> Started => [.. _started];

    public FakeMachine Last => _started.Last();

    public void Script(string code, ExecResult result) => _scripts[code] = (_, _, _) => Task.FromResult(result);

    public void Script(string code, ExecScript script) => _scripts[code] = script;

    public Task<IMachine> StartAsync(MachineSpec spec, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (FailNextStart is { } failure)
        {
            FailNextStart = null;
            throw failure;
        }
        var machine = new FakeMachine($"vm-fake{Interlocked.Increment(ref _nextId):D4}", spec, this);
        _started.Enqueue(machine);
        return Task.FromResult<IMachine>(machine);
    }

    internal Task<ExecResult> RunScriptAsync(FakeMachine machine, ExecRequest request, CancellationToken cancellationToken) =>
        _scripts.TryGetValue(request.Code, out var script)
            ? script(machine, request, cancellationToken)
            : Task.FromResult(Result(stdout: request.Code + "\n"));

    public static ExecResult Result(string stdout = "", string stderr = "", int exitCode = 0, bool timedOut = false,
        double wallSeconds = 0.25, double cpuSeconds = 0.125) => new()
        {
            Stdout = stdout,
            Stderr = stderr,
            ExitCode = exitCode,
            TimedOut = timedOut,
            WallTime = TimeSpan.FromSeconds(wallSeconds),
            CpuTime = TimeSpan.FromSeconds(cpuSeconds),
        };
}
