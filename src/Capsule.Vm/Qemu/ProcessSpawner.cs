using System.Collections.Concurrent;
using System.Diagnostics;

namespace Capsule.Vm.Qemu;

/// <summary>
/// Starts child processes from one dedicated thread that lives as long as the server. A child started with
/// <c>setpriv --pdeathsig KILL</c> gets SIGKILL when the *thread* that forked it exits; thread-pool threads retire,
/// so forking from them would kill machines at random. This thread never exits.
/// </summary>
internal static class ProcessSpawner
{
    private static readonly BlockingCollection<SpawnRequest> Requests = [];
    private static readonly Lazy<Thread> SpawnThread = new(StartThread, LazyThreadSafetyMode.ExecutionAndPublication);

    public static Task<Process> StartAsync(ProcessStartInfo startInfo)
    {
        _ = SpawnThread.Value;
        var request = new SpawnRequest(startInfo);
        Requests.Add(request);
        return request.Completion.Task;
    }

    private static Thread StartThread()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "Capsule process spawner" };
        thread.Start();
        return thread;
    }

    private static void Run()
    {
        foreach (var request in Requests.GetConsumingEnumerable())
        {
            try
            {
                var process = Process.Start(request.StartInfo)
                    ?? throw new InvalidOperationException($"{request.StartInfo.FileName} did not start a process.");
                request.Completion.SetResult(process);
            }
#pragma warning disable CA1031 // Any start failure belongs to the caller waiting on the task, not to this thread.
            catch (Exception e)
#pragma warning restore CA1031
            {
                request.Completion.SetException(e);
            }
        }
    }

    private sealed record SpawnRequest(ProcessStartInfo StartInfo)
    {
        public TaskCompletionSource<Process> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
