using System.Globalization;
using System.Text.Json.Nodes;

namespace Capsule.Soak;

/// <summary>
/// One simulated user: it holds one session and loops over <see cref="WorkMix"/> with a think time in between,
/// checking every answer. Every <see cref="SoakOptions.RecycleEvery"/> operations or so it kills its VM; then it
/// either creates a new session or (one time in four) carries on with the same one, whose next VM must start clean.
/// A failed request is recorded once, and the worker starts over with a new session.
/// </summary>
internal sealed class Worker(int id, SoakApi api, SoakOptions options, Recorder recorder, bool network)
{
    private static readonly TimeSpan AsyncPatience = TimeSpan.FromMinutes(3);

    private readonly Random _random = new(id + 1);
    private string? _session;
    private bool _hasVm;
    private int _counter;
    private int _opsLeft;
    private int _files;

    /// <summary>Works until <paramref name="stop"/> (finishing the request in flight), then kills its VM.</summary>
    public async Task RunAsync(TimeSpan startDelay, CancellationToken stop, CancellationToken abort)
    {
        if (!await PauseAsync(startDelay, stop))
            return;
        while (!stop.IsCancellationRequested && !abort.IsCancellationRequested)
        {
            try
            {
                await StepAsync(abort);
            }
            catch (StepFailed)
            {
                await AbandonAsync(abort);
                await PauseAsync(TimeSpan.FromSeconds(1), stop);
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                return;
            }
            await PauseAsync(TimeSpan.FromMilliseconds(options.ThinkMs * (0.5 + _random.NextDouble())), stop);
        }
        if (_hasVm && !abort.IsCancellationRequested)
        {
            try
            {
                await KillAsync(abort);
            }
            catch (StepFailed)
            {
                await AbandonAsync(abort);
            }
        }
    }

    private async Task StepAsync(CancellationToken cancellationToken)
    {
        if (_session is null)
        {
            _session = await TimedAsync(OpKind.Create, "create",
                () => api.CreateSessionAsync(options.MemoryMb, options.Vcpus, cancellationToken));
            recorder.SessionCreated();
        }
        if (!_hasVm)
        {
            await ExecAsync(WorkMix.FreshCheck(), cancellationToken);
            _hasVm = true;
            recorder.VmStarted();
            _counter = 0;
            _opsLeft = _random.Next(Math.Max(1, options.RecycleEvery / 2), options.RecycleEvery * 3 / 2 + 1);
            return;
        }
        switch (WorkMix.Pick(_random, network))
        {
            case WorkMix.Step.Python:
                await ExecAsync(WorkMix.Python(_random, id, _counter), cancellationToken);
                break;
            case WorkMix.Step.Bash:
                await ExecAsync(WorkMix.Bash(_random, id), cancellationToken);
                break;
            case WorkMix.Step.Files:
                await FilesAsync(cancellationToken);
                break;
            case WorkMix.Step.Async:
                await AsyncExecAsync(cancellationToken);
                break;
            case WorkMix.Step.Network:
                await ExecAsync(WorkMix.Network(), cancellationToken);
                break;
        }
        if (--_opsLeft <= 0)
        {
            await KillAsync(cancellationToken);
            if (_random.Next(4) != 0)
                _session = null;
        }
    }

    private async Task ExecAsync(ExecWork work, CancellationToken cancellationToken)
    {
        await TimedAsync(work.Kind, $"{work.Language} on {_session}", async () =>
        {
            var result = await api.ExecuteAsync(_session!, work.Code, work.Language, cancellationToken);
            var mismatch = work.Mismatch(
                Text(result, "stdout"), Text(result, "stderr"), result["exit_code"]?.GetValue<int>(), result["timed_out"]?.GetValue<bool>() ?? false,
                result["execution_time"]?.GetValue<double>() ?? -1);
            if (mismatch is not null)
                throw new SoakFailure($"POST /execute (session {_session}, {work.Language}: {SoakApi.Quote(work.Code, 80)}): {mismatch}");
            return true;
        });
        if (work.Increments)
            _counter++;
    }

    private async Task FilesAsync(CancellationToken cancellationToken)
    {
        var content = new byte[_random.Next(1, 64 * 1024)];
        _random.NextBytes(content);
        var path = string.Create(CultureInfo.InvariantCulture, $"/tmp/soak/w{id}/f{_files++}.bin");
        await TimedAsync(OpKind.Upload, $"upload {path} to {_session}", async () =>
        {
            var size = await api.UploadAsync(_session!, path, content, cancellationToken);
            if (size != content.Length)
                throw new SoakFailure($"POST /upload (session {_session}, {path}): size {size}, sent {content.Length}");
            return true;
        });
        var raw = _random.Next(2) == 0;
        await TimedAsync(OpKind.Download, $"download {path} from {_session}", async () =>
        {
            var back = await api.DownloadAsync(_session!, path, raw, cancellationToken);
            if (!back.AsSpan().SequenceEqual(content))
                throw new SoakFailure($"POST /download (session {_session}, {path}, {(raw ? "raw" : "base64")}): {back.Length} bytes differ from the {content.Length} uploaded");
            return true;
        });
    }

    private async Task AsyncExecAsync(CancellationToken cancellationToken)
    {
        var work = WorkMix.AsyncIncrement(_counter);
        await TimedAsync(OpKind.Async, $"async on {_session}", async () =>
        {
            var taskId = await api.SubmitAsync(_session!, work.Code, cancellationToken);
            var deadline = DateTime.UtcNow + AsyncPatience;
            while (true)
            {
                var execution = await api.ExecutionAsync(taskId, cancellationToken);
                if (execution["is_complete"]?.GetValue<bool>() == true)
                {
                    var status = Text(execution, "status");
                    var mismatch = status != "completed"
                        ? $"status {status}, error {execution["error"]?.ToJsonString()}"
                        : work.Mismatch(Text(execution, "serialized_stdout"), Text(execution, "serialized_stderr"),
                            execution["exit_code"]?.GetValue<int>(), execution["timed_out"]?.GetValue<bool>() ?? false,
                            execution["execution_time"]?.GetValue<double>() ?? -1);
                    if (mismatch is not null)
                        throw new SoakFailure($"execution {taskId} (session {_session}): {mismatch}");
                    return true;
                }
                if (DateTime.UtcNow > deadline)
                    throw new SoakFailure($"execution {taskId} (session {_session}) not complete after {AsyncPatience.TotalSeconds} s: {execution.ToJsonString()}");
                await Task.Delay(250, cancellationToken);
            }
        });
        _counter++;
    }

    private async Task KillAsync(CancellationToken cancellationToken)
    {
        await TimedAsync(OpKind.Kill, $"kill {_session}", async () =>
        {
            var answer = await api.KillAsync(_session!, cancellationToken);
            if (Text(answer, "status") != "success")
                throw new SoakFailure($"POST /kill (session {_session}): {answer.ToJsonString()}");
            return true;
        });
        _hasVm = false;
        recorder.VmEnded(killed: true);
    }

    /// <summary>After a failure: the VM's state is unknown, so drop it (best effort) and start over with a new session.</summary>
    private async Task AbandonAsync(CancellationToken cancellationToken)
    {
        if (_session is not null)
        {
            try
            {
                await api.KillAsync(_session, cancellationToken);
            }
            catch (Exception e) when (e is SoakFailure or HttpRequestException
                or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // It may have no VM (404), or be the very thing that is broken; the failure is already recorded.
            }
        }
        if (_hasVm)
            recorder.VmEnded(killed: false);
        _session = null;
        _hasVm = false;
    }

    /// <summary>Runs one request, records its latency or its error; a failure ends the step with <see cref="StepFailed"/>.</summary>
    private async Task<T> TimedAsync<T>(OpKind kind, string what, Func<Task<T>> call)
    {
        var started = recorder.Now;
        try
        {
            var result = await call();
            recorder.Ok(kind, started);
            return result;
        }
        catch (SoakFailure e)
        {
            recorder.Error(kind, id, e.Message);
        }
        catch (TaskCanceledException e) when (e.InnerException is TimeoutException)
        {
            recorder.Error(kind, id, $"{what}: no answer within the client timeout ({recorder.Now - started:F0} s)");
        }
        catch (HttpRequestException e)
        {
            recorder.Error(kind, id, $"{what}: {e.GetType().Name}: {e.Message}{(e.InnerException is { } inner ? $" ({inner.Message})" : "")}");
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException or IOException)
        {
            recorder.Error(kind, id, $"{what}: {e.GetType().Name}: {e.Message}");
        }
        throw new StepFailed();
    }

    private static string Text(JsonNode node, string field) => node[field]?.GetValue<string>() ?? "";

    /// <summary>Waits; false if <paramref name="stop"/> came first.</summary>
    private static async Task<bool> PauseAsync(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The step could not go on; the reason is already recorded.</summary>
    private sealed class StepFailed : Exception;
}
