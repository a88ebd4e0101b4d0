namespace Capsule.Server.Sessions.Terminals;

/// <summary><c>Capsule:Pty</c>: how long PTYs and their browser tokens live.</summary>
internal sealed class TerminalOptions
{
    public const string Section = "Capsule:Pty";

    /// <summary>How long a PTY with no WebSocket attached keeps running (after a drop, or from its creation) before it ends.</summary>
    public TimeSpan ReattachGrace { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a token from <c>POST …/token</c> may be redeemed (once).</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Running PTYs one session may hold at once.</summary>
    public int MaxPerSession { get; set; } = 16;
}
