using Capsule.Vm.HostTools;
using Capsule.Vm.Network.Egress;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Capsule.Vm.Network;

/// <summary>
/// Whether this host gives machines network slots, and the slots themselves. Decided once at start
/// (<see cref="StartAsync"/>): configured off; or on when this process can make namespaces, taps and nftables tables
/// (it tries: the janitor's clean-up and the root table are the test); configured on and not possible is an error.
/// </summary>
internal sealed partial class NetworkHost(IOptions<NetworkOptions> options, IOptions<VmOptions> vmOptions, TimeProvider time, ILoggerFactory loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<NetworkHost>();
    private readonly SlotLayout _layout = SlotLayout.For(options.Value, vmOptions.Value.RunDirectory);
    private EgressHost? _egress;

    /// <summary>What egress policies denied since this host's networking started.</summary>
    public EgressDenials EgressDenials => _egress?.Slots.Totals.Read() ?? EgressDenials.None;

    /// <summary>The slots machines get, or null when machines run without one (their NIC on a black hole).</summary>
    public NetworkSlots? Slots { get; private set; }

    /// <summary>Why slots are or are not used, for the log and /health.</summary>
    public string Reason { get; private set; } = "not started";

    /// <summary>Removes a crashed predecessor's slots and loads the root namespace's rules, or decides to run without slots.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var configured = options.Value.Enabled;
        if (configured == false)
        {
            Reason = "turned off (Capsule:Network:Enabled=false)";
            LogOff(_logger, Reason);
            return;
        }
        var missing = MissingPrerequisite();
        if (missing is null)
        {
            _egress = EgressHost.Start(options.Value, _layout, time, loggerFactory);
            var slots = new NetworkSlots(_layout, _egress, options.Value.ReadySlots, loggerFactory.CreateLogger<NetworkSlots>());
            try
            {
                var removed = await slots.CleanAsync(cancellationToken).ConfigureAwait(false);
                Slots = slots;
                slots.StartRefill();
                Reason = $"a network slot per machine (instance {_layout.Hex})";
                LogOn(_logger, _layout.Hex, removed);
                return;
            }
            catch (Exception e) when (e is HostCommandException or IOException or UnauthorizedAccessException)
            {
                missing = e.Message;
                await _egress.DisposeAsync().ConfigureAwait(false);
                _egress = null;
            }
        }
        if (configured == true)
            throw new MachineException(MachineErrorCode.StartFailed, $"Guest networking is turned on (Capsule:Network:Enabled=true) but cannot work here: {missing}.");
        Reason = $"no slots on this host: {missing}";
        LogOff(_logger, Reason);
    }

    /// <summary>At shutdown, once every machine (and so every slot) is gone.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Slots is not null)
        {
            await Slots.DisposeAsync().ConfigureAwait(false);
            await Slots.RemoveRootTableAsync(cancellationToken).ConfigureAwait(false);
        }
        if (_egress is not null)
            await _egress.DisposeAsync().ConfigureAwait(false);
    }

    private static string? MissingPrerequisite()
    {
        if (!File.Exists("/dev/net/tun"))
            return "/dev/net/tun is missing";
        foreach (var tool in new[] { "ip", "nft", "nsenter" })
        {
            if (!OnPath(tool))
                return $"`{tool}` is not installed (make deps installs iproute2, nftables and util-linux)";
        }
        return null;
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, tool)));

    [LoggerMessage(Level = LogLevel.Information, Message = "Guest networking: a slot per machine (instance {Instance}); removed {Removed} slot(s) a previous run left")]
    private static partial void LogOn(ILogger logger, string instance, int removed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Guest networking is off: {Reason}; every guest's NIC is on a black hole")]
    private static partial void LogOff(ILogger logger, string reason);
}
