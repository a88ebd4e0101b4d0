using System.Collections.Concurrent;
using Capsule.Vm;

namespace Capsule.Testing.Machines;

/// <summary>
/// A real in-memory <see cref="IMachineHost"/>: it hands out <see cref="FakeMachine"/>s, keeps every one it started,
/// and answers execs from a per-code script (default: echo the code on stdout, exit 0). Machines keep their files
/// under <paramref name="guestRoot"/>, one folder each. Capacity is unlimited unless a test sets <see cref="Capacity"/>
/// or <see cref="CapacityRefusal"/>.
/// </summary>
internal sealed class FakeMachineHost(string guestRoot) : IMachineHost
{
    /// <summary>A script that only returns its result: nothing reaches the exec's output callback.</summary>
    public delegate Task<ExecResult> ExecScript(FakeMachine machine, ExecRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// A script that also produces output as it goes: <c>emit</c> forwards to the exec's output callback (a no-op when
    /// the caller passed none), in the order the script calls it.
    /// </summary>
    public delegate Task<ExecResult> StreamingScript(
        FakeMachine machine, ExecRequest request, Func<OutputChunk, ValueTask> emit, CancellationToken cancellationToken);

    private readonly ConcurrentDictionary<string, StreamingScript> _scripts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeMachine> _started = new();
    private int _nextId;

    public AcceleratorInfo Accelerator { get; } = new("tcg", "no usable KVM (test host)");

    public CapacityInfo Capacity { get; set; } = CapacityInfo.Unlimited;

    /// <summary>When set, <see cref="EnsureCapacity"/> refuses every spec with this message.</summary>
    public string? CapacityRefusal { get; set; }

    /// <summary>What <see cref="IMachineHost.EgressDenials"/> answers (the metrics read it).</summary>
    public EgressDenials EgressDenials { get; set; } = EgressDenials.None;

    /// <summary>What every machine reports as its <see cref="IMachine.GuestEndpoint"/> (e.g. 127.0.0.1, where a test serves "the guest's" port); null: no network.</summary>
    public string? GuestEndpoint { get; set; }

    public void EnsureCapacity(MachineSpec spec)
    {
        if (CapacityRefusal is { } refusal)
            throw new MachineException(MachineErrorCode.CapacityExhausted, refusal);
    }

    /// <summary>When set, the next start throws it (and clears it).</summary>
    public MachineException? FailNextStart { get; set; }

    /// <summary>Every machine this host started, in start order (disposed ones included).</summary>
    public IReadOnlyList<FakeMachine> Started => [.. _started];

    public string GuestRoot { get; } = guestRoot;

    /// <summary>What every machine's stats report as used memory.</summary>
    public long MemoryUsedMb { get; set; } = 1;

    /// <summary>What every machine's <see cref="IMachine.GetNetworkCountersAsync"/> answers.</summary>
    public NetworkCounters NetworkCounters { get; set; } = NetworkCounters.None;

    public FakeMachine Last => _started.Last();

    /// <summary>The exec of <paramref name="code"/> streams the result's stdout, then its stderr, then returns it.</summary>
    public void Script(string code, ExecResult result) => _scripts[code] = async (_, _, emit, _) =>
    {
        await EmitAsync(emit, result);
        return result;
    };

    public void Script(string code, ExecScript script) => _scripts[code] = (machine, request, _, token) => script(machine, request, token);

    public void Script(string code, StreamingScript script) => _scripts[code] = script;

    /// <summary>
    /// Makes <paramref name="code"/> run until its exec is cancelled. The result says when it started and when the
    /// cancel reached it (what a test of "cancelling the caller kills the guest process" waits on).
    /// </summary>
    public BlockingRun ScriptUntilCancelled(string code)
    {
        var run = new BlockingRun();
        Script(code, (ExecScript)(async (_, _, token) =>
        {
            run.MarkStarted();
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, token);
            }
            catch (OperationCanceledException)
            {
                run.MarkCancelled();
                throw;
            }
            return Result();
        }));
        return run;
    }

    /// <summary>A scripted exec that runs until cancelled (<see cref="ScriptUntilCancelled"/>).</summary>
    public sealed class BlockingRun
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public Task Cancelled => _cancelled.Task;

        internal void MarkStarted() => _started.TrySetResult();

        internal void MarkCancelled() => _cancelled.TrySetResult();
    }

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

    internal async Task<ExecResult> RunScriptAsync(
        FakeMachine machine, ExecRequest request, Func<OutputChunk, ValueTask>? onOutput, CancellationToken cancellationToken)
    {
        var emit = onOutput ?? (_ => ValueTask.CompletedTask);
        if (_scripts.TryGetValue(request.Code, out var script))
            return await script(machine, request, emit, cancellationToken);
        var echo = Result(stdout: request.Code + "\n");
        await EmitAsync(emit, echo);
        return echo;
    }

    private static async Task EmitAsync(Func<OutputChunk, ValueTask> emit, ExecResult result)
    {
        if (result.Stdout.Length > 0)
            await emit(new OutputChunk(OutputStreamKind.Stdout, result.Stdout));
        if (result.Stderr.Length > 0)
            await emit(new OutputChunk(OutputStreamKind.Stderr, result.Stderr));
    }

    /// <summary>An exec result; wall and CPU time default to 0.25 s and 0.125 s (exact in JSON and in TimeSpan).</summary>
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
