using System.Text.Json;

namespace Capsule.Vm.Qmp;

/// <summary>An asynchronous QMP event such as SHUTDOWN, STOP, RESUME or GUEST_PANICKED.</summary>
internal sealed record QmpEvent(string Name, JsonElement Data, DateTimeOffset Timestamp);
