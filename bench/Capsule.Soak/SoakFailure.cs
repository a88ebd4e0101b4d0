namespace Capsule.Soak;

/// <summary>A request that did not give the expected answer: a non-2xx status, a wrong result, a broken body.</summary>
internal sealed class SoakFailure(string message) : Exception(message);
