namespace Capsule.Vm.Agent;

/// <summary>
/// How <see cref="AgentHealthProbe"/> watches an agent: probe after <paramref name="Interval"/> of silence, give up after
/// <paramref name="Timeout"/> without a pong (see <see cref="VmOptions.HealthProbeInterval"/> and
/// <see cref="VmOptions.HealthProbeTimeout"/>).
/// </summary>
internal sealed record HealthProbeSettings(TimeSpan Interval, TimeSpan Timeout);
