using Capsule.Vm;

namespace Capsule.Server.Sessions.Runs;

/// <summary>Runs, results, output and counters between the control plane's types and the VM layer's: written once, here.</summary>
internal static class RunTranslation
{
    public static ExecRequest ToMachine(this CodeRun run) => new()
    {
        Language = run.Language switch
        {
            CodeLanguage.Python => ExecLanguageKind.Python,
            CodeLanguage.Bash => ExecLanguageKind.Bash,
            _ => ExecLanguageKind.Auto,
        },
        Code = run.Code,
        Timeout = run.Timeout,
        OutputLimitBytes = run.OutputLimitBytes,
    };

    public static RunResult FromMachine(ExecResult result) => new()
    {
        Stdout = result.Stdout,
        Stderr = result.Stderr,
        ExitCode = result.ExitCode,
        TimedOut = result.TimedOut,
        OutputTruncated = result.OutputTruncated,
        OomKilled = result.OomKilled,
        WallTime = result.WallTime,
        CpuTime = result.CpuTime,
    };

    public static RunOutput FromMachine(OutputChunk chunk) =>
        new(chunk.Stream == OutputStreamKind.Stderr ? RunStream.Stderr : RunStream.Stdout, chunk.Text);

    public static GuestUsage FromMachine(MachineStats stats, NetworkCounters network) => new(stats.MemTotalMb, stats.MemUsedMb, stats.CpuTime, stats.Uptime)
    {
        NetworkRxBytes = network.RxBytes,
        NetworkTxBytes = network.TxBytes,
        NetworkDenied = network.DeniedConnections + network.DeniedLookups,
    };
}
