namespace Capsule.Agent.Exec;

/// <summary>
/// The script of the session's warm shell (<c>bash --noprofile --norc -c SCRIPT bash CALLDIR WORKDIR STATEFILE</c>,
/// empty environment, cwd /, requests on fd 3). The shell itself never runs user code. For each request line
/// <c>N A CGROUP</c> it forks a monitor, which:
/// <list type="number">
/// <item>claims attempt A of call N by creating <c>call-N.claimA</c> with noclobber and writing its pid there (the
/// agent creates it first when it gives the attempt up, so a late monitor runs nothing);</item>
/// <item>opens the call's status fifo and forks the call's shell as a job of its own (its own process group);</item>
/// <item>writes <c>pid P</c>, waits for it, then writes <c>exit S</c> and the <c>times</c> of that child.</item>
/// </list>
/// The call's shell moves itself into CGROUP (<c>-</c>: none) with a builtin, puts stdout and stderr on the call's
/// fifos, restores the saved state, runs the code with eval, and at exit writes its state to <c>call-N.state</c>,
/// which the agent commits only if the call was not killed (see <see cref="BashState"/>). The warm shell catches the
/// termination signals a user might send to <c>$$</c> with a no-op trap (its children start with default handlers);
/// SIGKILL ends it, and the agent starts another (see <see cref="BashShell"/>).
/// </summary>
internal static class BashScript
{
    /// <summary>Last line of a complete snapshot; a snapshot without it was cut short.</summary>
    public const string EndMarker = "# capsule-state-end";

    /// <summary>The fd on which the warm shell reads its requests (the script says 3).</summary>
    public const int RequestFd = 3;

    public const string Shell = $$"""
        __capsule_dir=$1 __capsule_workdir=$2 __capsule_state=$3
        builtin set --
        builtin set -m
        builtin trap : HUP INT QUIT TERM USR1 USR2 ALRM
        while :; do
          IFS=' ' builtin read -r -u 3 __capsule_n __capsule_a __capsule_cg
          __capsule_r=$?
          (( __capsule_r > 128 )) && builtin continue
          (( __capsule_r == 0 )) || builtin exit 0
          {
            __capsule_p=$__capsule_dir/call-$__capsule_n
            builtin set -C
            { builtin echo "$BASHPID" > "$__capsule_p.claim$__capsule_a"; } 2>/dev/null || builtin exit 0
            builtin set +C
            exec 3<&- 5>"$__capsule_p.status" || builtin exit 0
            (
              [[ $__capsule_cg == - ]] || builtin echo 0 2>/dev/null > "$__capsule_cg/cgroup.procs"
              exec 5>&- >"$__capsule_p.out" 2>"$__capsule_p.err" || builtin exit 126
              builtin set +m
              builtin trap - HUP INT QUIT TERM USR1 USR2 ALRM
              builtin cd -- "$__capsule_workdir" 2>/dev/null
              . "$__capsule_state" 2>/dev/null
              builtin cd -- "${__capsule_cwd:-.}" 2>/dev/null || builtin cd -- "$__capsule_workdir" 2>/dev/null
              builtin unset __capsule_cwd __capsule_dir __capsule_workdir __capsule_state __capsule_n __capsule_a __capsule_cg __capsule_r
              builtin readonly __capsule_p
              __capsule_save() {
                {
                  builtin printf '__capsule_cwd=%q\n' "$PWD"
                  builtin unset PWD OLDPWD SHLVL _
                  builtin export -p
                  builtin printf '%s\n' '{{EndMarker}}'
                } > "$__capsule_p.state" 2>/dev/null
              }
              builtin trap __capsule_save EXIT
              IFS= builtin read -r -d '' __capsule_code < "$__capsule_p.code"
              builtin eval "$__capsule_code"
            ) &
            builtin set +m
            builtin printf 'pid %d\n' "$!" >&5
            builtin wait "$!"
            builtin printf 'exit %d\n' "$?" >&5
            builtin times >&5
          } &
          # Forgotten at once: a job table that grew with every call made every later fork copy more (about 340
          # page faults per call at first, 590 after 600 calls); bash still reaps the monitor.
          builtin disown
        done
        """;

    /// <summary>Single-quotes a value for bash (embedded quotes become '\'').</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
