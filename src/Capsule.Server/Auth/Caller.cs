namespace Capsule.Server.Auth;

/// <summary>Who made a request: the id of the API key it presented.</summary>
internal sealed record Caller(string KeyId, bool IsAdmin);
