using System.Collections.Concurrent;
using Capsule.Server.Api.Errors;
using Capsule.Server.Metrics;
using Microsoft.Extensions.Options;

namespace Capsule.Server.RateLimiting;

/// <summary>
/// Per-API-key caps on what a key holds at once, refused with 429: running VMs (a session's VM counts from the start of
/// its spawn until it is destroyed) and unfinished background executions (queued or running). Together with the
/// request rate they bound what one key can make this host hold, whatever it sends.
/// </summary>
internal sealed partial class KeyQuotas(IOptions<RateLimitOptions> options, CapsuleMetrics metrics, ILogger<KeyQuotas> logger)
{
    private readonly ConcurrentDictionary<string, Counter> _machines = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Counter> _executions = new(StringComparer.Ordinal);
    private readonly RateLimitOptions _options = options.Value;

    /// <summary>VMs the key holds now (spawning or running).</summary>
    public int RunningMachines(string keyId) => _machines.TryGetValue(keyId, out var counter) ? counter.Value : 0;

    /// <summary>A cheap early refusal (at create) when the key already holds its limit of running VMs.</summary>
    public void EnsureMachineRoom(string keyId)
    {
        if (RunningMachines(keyId) >= _options.MaxRunningSessionsPerKey)
            throw MachineRefusal(keyId);
    }

    /// <summary>Counts one VM for the key, or refuses with 429; the caller must <see cref="ReleaseMachine"/> it.</summary>
    public void AcquireMachine(string keyId)
    {
        if (!_machines.GetOrAdd(keyId, _ => new Counter()).TryIncrement(_options.MaxRunningSessionsPerKey))
            throw MachineRefusal(keyId);
    }

    public void ReleaseMachine(string keyId) => _machines[keyId].Decrement();

    /// <summary>Counts one unfinished background execution, or refuses with 429; release it when it is recorded as final.</summary>
    public void AcquireExecution(string keyId)
    {
        if (_executions.GetOrAdd(keyId, _ => new Counter()).TryIncrement(_options.MaxPendingExecutionsPerKey))
            return;
        LogExecutionsRefused(logger, keyId, _options.MaxPendingExecutionsPerKey);
        metrics.Refused(RefusalReason.Caps);
        throw new CapsuleException(ErrorCode.RateLimited,
            $"This API key already has {_options.MaxPendingExecutionsPerKey} unfinished background executions (its limit); "
            + "wait for some to finish")
        { RetryAfter = TimeSpan.FromSeconds(1) };
    }

    public void ReleaseExecution(string keyId) => _executions[keyId].Decrement();

    private CapsuleException MachineRefusal(string keyId)
    {
        LogMachinesRefused(logger, keyId, _options.MaxRunningSessionsPerKey);
        metrics.Refused(RefusalReason.Caps);
        return new CapsuleException(ErrorCode.RateLimited,
            $"This API key already has {_options.MaxRunningSessionsPerKey} running sessions (its limit); "
            + "kill one or wait for one to end")
        { RetryAfter = TimeSpan.FromSeconds(1) };
    }

    [LoggerMessage(EventId = 231, Level = LogLevel.Information,
        Message = "API key {KeyId} refused a VM: it holds its limit of {Limit} running sessions")]
    private static partial void LogMachinesRefused(ILogger logger, string keyId, int limit);

    [LoggerMessage(EventId = 232, Level = LogLevel.Information,
        Message = "API key {KeyId} refused a background execution: it has {Limit} unfinished")]
    private static partial void LogExecutionsRefused(ILogger logger, string keyId, int limit);

    private sealed class Counter
    {
        private int _value;

        public int Value => Volatile.Read(ref _value);

        public bool TryIncrement(int limit)
        {
            while (true)
            {
                var current = Volatile.Read(ref _value);
                if (current >= limit)
                    return false;
                if (Interlocked.CompareExchange(ref _value, current + 1, current) == current)
                    return true;
            }
        }

        public void Decrement()
        {
            if (Interlocked.Decrement(ref _value) < 0)
                throw new InvalidOperationException("A key quota was released more often than acquired");
        }
    }
}
