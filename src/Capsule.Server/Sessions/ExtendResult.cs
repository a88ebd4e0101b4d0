namespace Capsule.Server.Sessions;

/// <summary>The outcome of extending a session's lifetime.</summary>
/// <param name="Extended">False when the VM would outlive the 24 h cap.</param>
/// <param name="MaxSeconds">The most seconds from now the VM may still be given.</param>
internal sealed record ExtendResult(bool Extended, int MaxSeconds);
