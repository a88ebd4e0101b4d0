namespace Capsule.Soak;

/// <summary>What one timed request of a worker was; latencies and errors are reported per kind.</summary>
internal enum OpKind
{
    /// <summary>POST /v1/sessions/session (no VM yet).</summary>
    Create,

    /// <summary>The first execute on a fresh VM (restore or pool hand-over, then a check that its state is clean).</summary>
    Spawn,
    Python,
    Bash,
    Upload,
    Download,

    /// <summary>POST /execute_async, then GET /v1/executions/{id} until it is complete.</summary>
    Async,

    /// <summary>A guest's HTTP request to the test internet through the egress proxy, and a denied lookup.</summary>
    Network,

    /// <summary>POST /kill.</summary>
    Kill,
}
