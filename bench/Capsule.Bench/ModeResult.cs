namespace Capsule.Bench;

/// <summary>
/// One mode's clients (create + first execute each): the latency of those that got their result, and how many the
/// host refused at capacity (503) or that failed otherwise. <see cref="Latency"/> is null when none got a result.
/// </summary>
internal sealed record ModeResult(Stats? Latency, int Clients, int Refused, int Failed)
{
    public static ModeResult Of(IReadOnlyCollection<ClientOutcome> outcomes)
    {
        var ok = outcomes.Where(o => o.Ms is not null).Select(o => o.Ms!.Value).ToArray();
        return new ModeResult(
            ok.Length == 0 ? null : Stats.Of(ok), outcomes.Count, outcomes.Count(o => o.Refused), outcomes.Count(o => o.Ms is null && !o.Refused));
    }

    public override string ToString() =>
        $"{(Latency is null ? "no results" : Latency.ToString())}; {Clients} clients, {Refused} refused, {Failed} failed";
}

/// <summary>What one client got: its latency (null if it got no result), whether the host refused it, its session (to kill).</summary>
internal readonly record struct ClientOutcome(double? Ms, bool Refused, string? SessionId);
