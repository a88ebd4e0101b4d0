using System.Diagnostics;
using Capsule.Agent.Protocol;

namespace Capsule.Vm.Agent;

internal sealed partial class AgentConnection
{
    /// <summary>How long a cancelled exec may take to report its exit before the caller gets its answer anyway.</summary>
    public TimeSpan CancelGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long past its own timeout an exec may go without an exit before the host stops waiting. The agent enforces
    /// the timeout; this only keeps a lost exit (an agent bug) from hanging the caller forever.
    /// </summary>
    public TimeSpan ExitGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Runs code in the guest: <c>exec</c>, then <c>output</c> frames, then one <c>exit</c>.
    /// Cancelling <paramref name="cancellationToken"/> sends <c>cancel</c> (the agent kills the process tree),
    /// waits up to <see cref="CancelGrace"/> for the exit, then throws <see cref="OperationCanceledException"/>.
    /// If no exit comes within the exec's timeout plus <see cref="ExitGrace"/>, the exec is cancelled the same way
    /// and, failing an exit even then, returned as timed out with the output so far and a note on stderr.
    /// </summary>
    public async Task<ExecResult> ExecAsync(ExecRequest request, Func<OutputChunk, ValueTask>? onOutput, CancellationToken cancellationToken)
    {
        var call = new ExecCall(request.OutputLimitBytes, streamChunks: onOutput is not null);
        var id = Register(call);
        var clock = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ExitDeadline(request.Timeout));
        var sent = false;
        try
        {
            var exec = new AgentMessage
            {
                Kind = MessageKind.Exec,
                Id = id,
                Language = ToWire(request.Language),
                Code = request.Code,
                TimeoutMs = (int)Math.Clamp(request.Timeout.TotalMilliseconds, 1, int.MaxValue),
                OutputLimitBytes = request.OutputLimitBytes,
            };
            cancellationToken.ThrowIfCancellationRequested();
            sent = true;
            await SendAsync(new Frame(exec), cancellationToken).ConfigureAwait(false);
            if (onOutput is not null)
            {
                await foreach (var chunk in call.Chunks.ReadAllAsync(deadline.Token).ConfigureAwait(false))
                    await onOutput(chunk).ConfigureAwait(false);
            }
            return await call.Result.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            LogExitMissing(_logger, _name, id, (long)clock.Elapsed.TotalMilliseconds);
            var confirmed = await CancelExecAsync(id, call).ConfigureAwait(false);
            var result = call.Abandon($"\ncapsule: the guest agent did not report the end of this execution within {request.Timeout + ExitGrace}; it was cancelled.\n", clock.Elapsed);
            if (!confirmed)
                FailUnstoppable(id);
            return result;
        }
        finally
        {
            if (sent && !call.Result.IsCompleted && !await CancelExecAsync(id, call).ConfigureAwait(false))
                FailUnstoppable(id);
            Unregister(id);
        }
    }

    private TimeSpan ExitDeadline(TimeSpan timeout)
    {
        var max = TimeSpan.FromMilliseconds(int.MaxValue - 1);
        return timeout >= max - ExitGrace ? max : timeout + ExitGrace;
    }

    /// <summary>An agent that neither ends an exec nor obeys its cancel is broken (or hostile): stop trusting it.</summary>
    private void FailUnstoppable(long execId) =>
        Fail($"the guest agent did not stop exec {execId} within {CancelGrace.TotalSeconds:0.###} s of a cancel");

    /// <summary>
    /// Asks the agent to kill exec <paramref name="targetId"/> and waits, bounded, for its exit. Never throws; false if
    /// the exit did not come within <see cref="CancelGrace"/>.
    /// </summary>
    private async Task<bool> CancelExecAsync(long targetId, ExecCall call)
    {
        if (ClosedReasonOrNull() is not null)
            return true;
        var reply = new ReplyCall(MessageKind.Cancel, MessageKind.Ok);
        long id;
        try
        {
            id = Register(reply);
        }
        catch (MachineException)
        {
            return true;
        }
        try
        {
            await SendAsync(new Frame(new AgentMessage { Kind = MessageKind.Cancel, Id = id, TargetId = targetId }), CancellationToken.None)
                .WaitAsync(CancelGrace, _time).ConfigureAwait(false);
            await call.Result.WaitAsync(CancelGrace, _time).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is TimeoutException or MachineException)
        {
            LogCancelUnconfirmed(_logger, _name, targetId, e.Message);
            return e is not TimeoutException;
        }
        finally
        {
            Unregister(id);
        }
    }

    private static string ToWire(ExecLanguageKind language) => language switch
    {
        ExecLanguageKind.Python => ExecLanguage.Python,
        ExecLanguageKind.Bash => ExecLanguage.Bash,
        ExecLanguageKind.Auto => ExecLanguage.Auto,
        _ => throw new ArgumentOutOfRangeException(nameof(language), language, "Unknown language."),
    };
}
