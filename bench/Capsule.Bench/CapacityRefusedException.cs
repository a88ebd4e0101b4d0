namespace Capsule.Bench;

/// <summary>The server answered 503 "no capacity": the host is full. A bench client counts it as refused, not failed.</summary>
internal sealed class CapacityRefusedException(string message) : InvalidOperationException(message);
