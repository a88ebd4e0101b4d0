namespace Capsule.Vm.Network.Egress;

/// <summary>A guest connection the proxy let through, by its name; closing it cuts both sides.</summary>
internal sealed class ProxiedConnection(ProxyKind kind, string name, CancellationTokenSource lifetime)
{
    public ProxyKind Kind { get; } = kind;

    public string Name { get; } = name;

    public void Close()
    {
        try
        {
            lifetime.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It ended meanwhile.
        }
    }
}
