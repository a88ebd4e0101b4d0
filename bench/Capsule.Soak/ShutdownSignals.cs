using Interop = System.Runtime.InteropServices;

namespace Capsule.Soak;

/// <summary>
/// Ctrl-C (SIGINT), SIGTERM and SIGHUP: the first asks for an orderly end (workers stop, the server is stopped
/// gracefully, the report is written); the second runs <c>now</c> (kill the server, exit at once).
/// </summary>
internal sealed class ShutdownSignals : IDisposable
{
    private readonly List<Interop.PosixSignalRegistration> _registrations = [];
    private int _count;

    public ShutdownSignals(Action first, Action now)
    {
        foreach (var signal in new[] { Interop.PosixSignal.SIGINT, Interop.PosixSignal.SIGTERM, Interop.PosixSignal.SIGHUP })
        {
            _registrations.Add(Interop.PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                if (Interlocked.Increment(ref _count) == 1)
                {
                    Console.Error.WriteLine($"[soak] {context.Signal}: stopping in order (again to kill everything now)");
                    first();
                }
                else
                {
                    now();
                }
            }));
        }
    }

    public bool Received => Volatile.Read(ref _count) > 0;

    public void Dispose()
    {
        foreach (var registration in _registrations)
            registration.Dispose();
    }
}
