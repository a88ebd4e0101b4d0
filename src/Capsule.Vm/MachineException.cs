namespace Capsule.Vm;

/// <summary>
/// The VM layer refused or could not do what was asked. <see cref="Code"/> says which. <see cref="Exception.Message"/> is
/// one short sentence; what only the host may see (QEMU's log, the console tail, host paths) is in
/// <see cref="HostDetail"/>, for logs.
/// </summary>
public sealed class MachineException(MachineErrorCode code, string message, Exception? inner = null, string? hostDetail = null)
    : Exception(message, inner)
{
    public MachineErrorCode Code { get; } = code;

    /// <summary>Host-side evidence for the log (QEMU's last lines, the guest console, paths); never shown to a client.</summary>
    public string? HostDetail { get; } = hostDetail;
}

public enum MachineErrorCode
{
    /// <summary>The guest path does not exist.</summary>
    FileNotFound,
    /// <summary>The guest path is a directory where a file was expected.</summary>
    IsDirectory,
    /// <summary>The guest path is not absolute or otherwise unusable.</summary>
    InvalidPath,
    /// <summary>The host has no room for another machine.</summary>
    CapacityExhausted,
    /// <summary>The machine failed to start or its agent never answered.</summary>
    StartFailed,
    /// <summary>The machine is gone (destroyed or crashed) or its agent connection broke.</summary>
    MachineGone,
    /// <summary>The guest image or snapshot is missing or unusable.</summary>
    ImageMissing,
    /// <summary>
    /// The guest agent answered a request with an error (it could not read its counters, set the env, run the code).
    /// Guest behaviour, not a host bug: the machine stays up.
    /// </summary>
    GuestError,
}
