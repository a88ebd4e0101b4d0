namespace Capsule.Server.Sessions;

/// <summary>How many machines this server holds right now (started and not yet destroyed), for /health.</summary>
internal sealed class MachineCounter
{
    private int _running;

    public int Running => Volatile.Read(ref _running);

    public void Started() => Interlocked.Increment(ref _running);

    public void Destroyed() => Interlocked.Decrement(ref _running);
}
