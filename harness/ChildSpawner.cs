using System.Collections.Concurrent;
using System.Diagnostics;

namespace Capsule.Harness;

/// <summary>
/// Starts child processes from one dedicated thread that lives as long as the harness. A child started with
/// <c>setpriv --pdeathsig</c> gets its signal when the *thread* that forked it exits; thread-pool threads retire, so
/// forking from them would stop the server at random (the same reason as the server's own ProcessSpawner).
/// </summary>
internal static class ChildSpawner
{
    private static readonly BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<Process> Done)> Requests = [];
    private static readonly Lazy<Thread> SpawnThread = new(StartThread, LazyThreadSafetyMode.ExecutionAndPublication);

    public static Task<Process> StartAsync(ProcessStartInfo startInfo)
    {
        _ = SpawnThread.Value;
        var done = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((startInfo, done));
        return done.Task;
    }

    private static Thread StartThread()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "harness child spawner" };
        thread.Start();
        return thread;
    }

    private static void Run()
    {
        foreach (var (info, done) in Requests.GetConsumingEnumerable())
        {
            try
            {
                done.SetResult(Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start"));
            }
#pragma warning disable CA1031 // A start failure belongs to the caller waiting on the task, not to this thread.
            catch (Exception e)
#pragma warning restore CA1031
            {
                done.SetException(e);
            }
        }
    }
}
