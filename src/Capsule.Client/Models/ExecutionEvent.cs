namespace Capsule.Client;

/// <summary>
/// One event of a streamed execution (<see cref="Session.StreamAsync"/>): zero or more <see cref="OutputChunk"/>s,
/// then exactly one <see cref="ExecutionExit"/>.
/// </summary>
public abstract record ExecutionEvent
{
    private protected ExecutionEvent()
    {
    }
}
