namespace Capsule.Client;

/// <summary>A piece of output, delivered as the guest produced it (in order within each stream).</summary>
/// <param name="Stream">Which stream the text was written to.</param>
/// <param name="Text">The text, decoded as UTF-8.</param>
public sealed record OutputChunk(OutputStream Stream, string Text) : ExecutionEvent;
