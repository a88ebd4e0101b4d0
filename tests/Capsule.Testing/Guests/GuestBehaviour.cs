namespace Capsule.Testing.Guests;

/// <summary>How a <see cref="ScriptedGuest"/> behaves once it has answered the handshake.</summary>
internal enum GuestBehaviour
{
    /// <summary>Answers pings, execs (echoes the code on stdout, exit 0), set_env and stats like a real agent.</summary>
    WellBehaved,
    /// <summary>On an exec: <see cref="ScriptedGuest.FloodBytes"/> of output without an exit, then garbage without a frame magic.</summary>
    FloodThenGarbage,
    /// <summary>Answers nothing after the handshake, not even pings (a hung agent).</summary>
    Silent,
    /// <summary>On an exec: a frame prefix announcing a 2 GiB header.</summary>
    OversizedFrame,
    /// <summary>On an exec: a frame whose header is not JSON.</summary>
    MalformedFrame,
    /// <summary>On an exec: a well-formed reply of the wrong kind (<c>stats_result</c>).</summary>
    WrongKindReply,
    /// <summary>Well behaved, but answers <c>stats</c> and <c>set_env</c> with <c>error io</c> (a guest that cannot read /proc).</summary>
    RefusesStatsAndEnv,
}
