namespace Capsule.Client;

/// <summary>The stream a piece of output was written to.</summary>
public enum OutputStream
{
    /// <summary>Standard output.</summary>
    Stdout,

    /// <summary>Standard error.</summary>
    Stderr,
}
