namespace Capsule.Vm.Qmp;

/// <summary>The QMP connection is gone; <see cref="Exception.Message"/> is the first reason it broke.</summary>
internal sealed class QmpConnectionClosedException(string reason, Exception? inner = null)
    : Exception(reason, inner);
