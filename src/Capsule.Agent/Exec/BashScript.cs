namespace Capsule.Agent.Exec;

/// <summary>
/// The script of the session's warm shell (<c>bash --noprofile --norc -c SCRIPT bash CALLDIR WORKDIR STATEFILE</c>,
/// empty environment, cwd /). The warm shell never runs user code. Each line on its control fd
/// (<see cref="ControlFd"/>), the cgroup leaf of the next call (<c>-</c>: none), makes it fork one spare: a call's shell
/// forked ahead of the call, so that a call costs no fork. The spare (docs/agent-protocol.md §4):
/// <list type="number">
/// <item>is forked through a middle shell that exits at once, so the agent (PID 1 or a subreaper) becomes its parent
/// and reaps it; job control is on in the middle shell, so the spare leads a process group of its own;</item>
/// <item>moves itself into its leaf with a builtin (a first move into a new leaf costs about 40 ms in a TCG guest, so
/// it is paid here, before the call), touches the work it will do (sources the state in a function, so every
/// declaration is local and vanishes), so the call does not pay for those first page copies, then writes <c>ready PID
/// WARMPID LEAF</c> on <see cref="NoticeFd"/>;</item>
/// <item>waits on <see cref="WakeFd"/>: each byte it reads makes it look for its order <c>take-PID</c> (the call's
/// number N, written by the agent); without one it waits on, so a byte that a stale spare eats costs the right one
/// nothing but a resend;</item>
/// <item>writes <c>took PID</c>, closes the shared fds, puts stdout and stderr on the call's fifos, restores the saved
/// state, and runs the code with eval;</item>
/// <item>at exit its trap writes the state to <c>call-N.state</c>, which the agent commits only if the call was not
/// killed (see <see cref="BashState"/>), then <c>exit S</c> and its <c>times</c> on <c>call-N.status</c>.</item>
/// </list>
/// The warm shell catches the termination signals a user might send to <c>$$</c> with a no-op trap (its children
/// start with default handlers); SIGKILL ends it, and the agent starts another (see <see cref="BashShell"/>).
/// </summary>
internal static class BashScript
{
    /// <summary>Last line of a complete snapshot; a snapshot without it was cut short.</summary>
    public const string EndMarker = "# capsule-state-end";

    /// <summary>The warm shell's control fd: one line per spare to fork.</summary>
    public const int ControlFd = 3;

    /// <summary>The spares' shared wake-up fd: one byte per order the agent wrote.</summary>
    public const int WakeFd = 4;

    /// <summary>Where spares write <c>ready</c> and <c>took</c> lines to the agent.</summary>
    public const int NoticeFd = 5;

    public const string Shell = $$"""
        __capsule_dir=$1 __capsule_workdir=$2 __capsule_state=$3
        builtin set --
        builtin set -m
        builtin trap : HUP INT QUIT TERM USR1 USR2 ALRM
        while :; do
          builtin read -r -u 3 __capsule_cg
          __capsule_r=$?
          (( __capsule_r > 128 )) && builtin continue
          (( __capsule_r == 0 )) || builtin exit 0
          {
            builtin set -m
            (
              exec 3<&-
              builtin set +m
              builtin trap - HUP INT QUIT TERM USR1 USR2 ALRM
              [[ $__capsule_cg == - ]] || builtin echo 0 2>/dev/null > "$__capsule_cg/cgroup.procs"
              __capsule_touch() { builtin cd -- "$__capsule_workdir"; . "$__capsule_state"; builtin export -p; }
              __capsule_touch >/dev/null 2>&1
              builtin unset -f __capsule_touch
              builtin printf 'ready %d %d %s\n' "$BASHPID" "$$" "$__capsule_cg" >&5
              while :; do
                builtin read -r -n 1 -u 4 __capsule_r || builtin exit 0
                { builtin read -r __capsule_n < "$__capsule_dir/take-$BASHPID"; } 2>/dev/null && builtin break
              done
              builtin printf 'took %d\n' "$BASHPID" >&5
              exec 4<&- 5>&-
              __capsule_p=$__capsule_dir/call-$__capsule_n
              exec >"$__capsule_p.out" 2>"$__capsule_p.err" || builtin exit 126
              builtin cd -- "$__capsule_workdir" 2>/dev/null
              . "$__capsule_state" 2>/dev/null
              builtin cd -- "${__capsule_cwd:-.}" 2>/dev/null || builtin cd -- "$__capsule_workdir" 2>/dev/null
              builtin unset __capsule_cwd __capsule_dir __capsule_workdir __capsule_state __capsule_n __capsule_cg __capsule_r
              builtin readonly __capsule_p
              __capsule_end() {
                builtin local __capsule_s=$?
                {
                  builtin printf '__capsule_cwd=%q\n' "$PWD"
                  builtin unset PWD OLDPWD SHLVL _
                  builtin export -p
                  builtin printf '%s\n' '{{EndMarker}}'
                } > "$__capsule_p.state" 2>/dev/null
                { builtin printf 'exit %d\n' "$__capsule_s"; builtin times; } > "$__capsule_p.status" 2>/dev/null
              }
              builtin trap __capsule_end EXIT
              IFS= builtin read -r -d '' __capsule_code < "$__capsule_p.code"
              builtin eval "$__capsule_code"
            ) &
            builtin exit 0
          } &
          # Forgotten at once: a job table that grew with every spare made every later fork copy more; bash still
          # reaps the middle shell.
          builtin disown
        done
        """;

    /// <summary>Single-quotes a value for bash (embedded quotes become '\'').</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
