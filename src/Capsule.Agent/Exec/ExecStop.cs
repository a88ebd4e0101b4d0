namespace Capsule.Agent.Exec;

/// <summary>Why an exec was stopped before it ended by itself (a timeout is tracked by the runner).</summary>
internal enum ExecStop
{
    None,
    Cancelled,
    Disconnected,
}
