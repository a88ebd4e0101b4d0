namespace Capsule.Soak;

/// <summary>Everything one soak run produced, handed to the report writers.</summary>
internal sealed record SoakResult(
    SoakOptions Options,
    IReadOnlyDictionary<string, string> ServerSettings,
    string Accelerator,
    DateTimeOffset StartedAt,
    double WorkSeconds,
    bool Interrupted,
    IReadOnlyList<Recorder.Sample> Samples,
    IReadOnlyList<Recorder.ErrorRecord> Errors,
    int SessionsCreated,
    int VmsKilled,
    int PeakLiveVms,
    int? MachinesAfterKills,
    int? PooledAfterKills,
    IReadOnlyList<HostSample> Timeline,
    bool StoppedGracefully,
    int ServerExitCode,
    double StopSeconds,
    int QemuAtExit,
    double MemAvailableAfterStopMib,
    Leftovers Leftovers,
    ServerLog ServerLog)
{
    public bool Passed => Errors.Count == 0 && Leftovers.Total == 0 && StoppedGracefully && !Interrupted;
}
