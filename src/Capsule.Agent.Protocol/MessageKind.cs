namespace Capsule.Agent.Protocol;

/// <summary>The <see cref="AgentMessage.Kind"/> values. The numbered flow is in docs/agent-protocol.md.</summary>
internal static class MessageKind
{
    // host -> agent
    public const string Ping = "ping";
    public const string SetEnv = "set_env";
    public const string Exec = "exec";
    public const string Cancel = "cancel";
    public const string WriteFile = "write_file";
    public const string ReadFile = "read_file";
    public const string Stats = "stats";

    // pseudo terminals (host -> agent); every one after pty_open carries the PTY's id and gets no reply
    public const string PtyOpen = "pty_open";
    public const string PtyInput = "pty_input";
    public const string PtyResize = "pty_resize";
    public const string PtyCredit = "pty_credit";
    public const string PtyClose = "pty_close";

    // both directions: file bytes in the payload, then file_end
    public const string FileData = "file_data";
    public const string FileEnd = "file_end";

    // agent -> host
    public const string Pong = "pong";
    public const string Ok = "ok";
    public const string Output = "output";
    public const string Exit = "exit";
    public const string StatsResult = "stats_result";
    public const string Error = "error";
    public const string PtyOutput = "pty_output";
    public const string PtyExit = "pty_exit";
}

/// <summary>Values of <see cref="AgentMessage.Language"/>.</summary>
internal static class ExecLanguage
{
    public const string Python = "python";
    public const string Bash = "bash";
    /// <summary>Run as Python if the code compiles as Python, otherwise as bash (InstaVM clients that omit the language).</summary>
    public const string Auto = "auto";
}

/// <summary>Values of <see cref="AgentMessage.Stream"/>.</summary>
internal static class OutputStream
{
    public const string Stdout = "stdout";
    public const string Stderr = "stderr";
}

/// <summary>Values of <see cref="AgentMessage.ErrorCode"/>.</summary>
internal static class AgentErrorCode
{
    public const string NotFound = "not_found";
    public const string IsDirectory = "is_directory";
    public const string BadRequest = "bad_request";
    public const string Io = "io";
    public const string Busy = "busy";
}
