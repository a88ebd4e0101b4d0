using Capsule.Agent.Protocol;

namespace Capsule.Vm.Agent;

internal sealed partial class AgentConnection
{
    /// <summary><c>pty_open {cols, rows, shell, credit_bytes}</c> -> <c>ok</c>; the PTY's frames follow (see <see cref="PtyCall"/>).</summary>
    public async Task<IMachinePty> OpenPtyAsync(PtyRequest request, CancellationToken cancellationToken)
    {
        var call = new PtyCall(this);
        var id = Register(call);
        call.Id = id;
        try
        {
            var open = new AgentMessage
            {
                Kind = MessageKind.PtyOpen,
                Id = id,
                Cols = request.Cols,
                Rows = request.Rows,
                Shell = request.Shell,
                CreditBytes = PtyCall.WindowBytes,
            };
            await SendAsync(new Frame(open), cancellationToken).ConfigureAwait(false);
            AgentErrors.ThrowIfError(await call.Opened.WaitAsync(cancellationToken).ConfigureAwait(false), MessageKind.PtyOpen);
            return call;
        }
        catch
        {
            await call.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>For <see cref="PtyCall"/>: input, resize, credit and close frames, written whole.</summary>
    internal Task SendPtyFrameAsync(Frame frame, CancellationToken cancellationToken) => SendAsync(frame, cancellationToken);

    internal void ForgetPty(long id) => Unregister(id);
}
