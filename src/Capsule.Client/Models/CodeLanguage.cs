namespace Capsule.Client;

/// <summary>How the guest runs a piece of code.</summary>
public enum CodeLanguage
{
    /// <summary>No language sent: the guest runs the code as Python if it compiles as Python, otherwise as bash.</summary>
    Auto,

    /// <summary>The session's long-lived Python interpreter (variables persist between executions).</summary>
    Python,

    /// <summary>A fresh bash; the working directory and exported variables carry over to the next bash execution.</summary>
    Bash,
}
