namespace Capsule.Server.Sessions.Terminals;

/// <summary>What a new PTY asks for (validated: sizes within 1..<see cref="TerminalShells.MaxDimension"/>, a listed shell).</summary>
internal sealed record TerminalSpec(int Cols, int Rows, string Shell);
