namespace Capsule.Vm.Qmp;

/// <summary>QEMU answered a command with an <c>error</c> object.</summary>
internal sealed class QmpException(string command, string errorClass, string description)
    : Exception($"QMP {command} failed: {errorClass}: {description}")
{
    public string Command { get; } = command;
    public string ErrorClass { get; } = errorClass;
    public string Description { get; } = description;
}
