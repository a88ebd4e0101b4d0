namespace Capsule.Agent.Native;

/// <summary>How a child ended, from wait4: the raw wait status and the CPU time of the child and its waited-for descendants.</summary>
internal readonly record struct ChildExit(int Status, TimeSpan UserCpu, TimeSpan SystemCpu)
{
    public bool Exited => (Status & 0x7f) == 0;

    public int Signal => Exited ? 0 : Status & 0x7f;

    /// <summary>The exit status, or 128 + signal number as a shell reports it.</summary>
    public int ExitCode => Exited ? (Status >> 8) & 0xff : 128 + Signal;

    public double CpuMs => (UserCpu + SystemCpu).TotalMilliseconds;
}
