namespace Capsule.Vm;

/// <summary>The VM layer refused or could not do what was asked. <see cref="Code"/> says which.</summary>
internal sealed class MachineException(MachineErrorCode code, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public MachineErrorCode Code { get; } = code;
}

internal enum MachineErrorCode
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
}
