namespace Capsule.Agent.Limits;

/// <summary>What a cgroup saw during one exec: processes killed by the OOM killer, forks refused by the process limit.</summary>
internal readonly record struct GroupReport(long OomKills, long ForkFailures)
{
    public static GroupReport Read(string group) => new(CgroupFiles.OomKills(group), CgroupFiles.ForkFailures(group));

    /// <summary>The counts since <paramref name="before"/> (the python interpreter's group lives across execs).</summary>
    public GroupReport Since(GroupReport before) => new(OomKills - before.OomKills, ForkFailures - before.ForkFailures);

    public bool OomKilled => OomKills > 0;

    public bool HitProcessLimit => ForkFailures > 0;

    /// <summary>Appended to the exec's stderr when the OOM killer killed one of its processes.</summary>
    public const string OomNote =
        "\n[capsule] The guest ran out of memory; the out-of-memory killer killed a process of this execution.\n";

    /// <summary>Appended to the exec's stderr when its processes were refused forks and the rest were killed.</summary>
    public static readonly string ProcessLimitNote =
        $"\n[capsule] This execution reached the limit of {UserCgroups.PidsMax} processes: forks were refused, and what it left running was killed.\n";
}
