using Capsule.Server.Api.Errors;
using Capsule.Server.Sessions.Terminals;
using Capsule.Vm;

namespace Capsule.Server.Sessions;

/// <summary>PTYs on the session's VM (see <see cref="Terminal"/>).</summary>
internal sealed partial class SessionActor
{
    /// <summary>
    /// Starts a shell on a new PTY of the session's VM, spawning a VM first if there is none (as an execute does). The
    /// PTY holds the VM's lease until its shell ends, so killing the session ends it.
    /// </summary>
    public async Task<Terminal> OpenTerminalAsync(TerminalSpec spec, TerminalRegistry terminals, CancellationToken cancellationToken)
    {
        using var scope = BeginScope();
        var max = terminals.Options.MaxPerSession;
        if (terminals.RunningCount(SessionId) >= max)
            throw new CapsuleException(ErrorCode.Conflict, $"Session {SessionId} already has {max} running PTYs; delete one first");
        var lease = await EnterAsync(spawn: true, cancellationToken)
            ?? throw new InvalidOperationException("Entering with spawn always yields a lease");
        var handedOver = false;
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Stopping);
            IMachinePty pty;
            try
            {
                pty = await lease.Machine.OpenPtyAsync(new PtyRequest { Cols = spec.Cols, Rows = spec.Rows, Shell = spec.Shell }, linked.Token);
            }
            catch (Exception ex) when (IsInterruptedByLifecycle(ex, lease, cancellationToken))
            {
                throw Interrupted(lease, "terminal start");
            }
            catch (MachineException refused)
            {
                throw MachineErrors.Translate(refused, _services.Logger);
            }
            handedOver = true;
            return terminals.Add(SessionId, spec, pty, lease);
        }
        finally
        {
            if (!handedOver)
                lease.Exit();
        }
    }
}
