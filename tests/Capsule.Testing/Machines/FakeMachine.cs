using Capsule.Vm;

namespace Capsule.Testing.Machines;

/// <summary>
/// An in-memory machine: records its env and every exec request, answers execs from the host's script, keeps its
/// files in a host folder (so large files never sit in memory), and can be made to crash. Files follow the agent's
/// rules: absolute paths only (else <see cref="MachineErrorCode.InvalidPath"/>), a directory is neither read nor
/// overwritten (<see cref="MachineErrorCode.IsDirectory"/>), a missing file is <see cref="MachineErrorCode.FileNotFound"/>.
/// Once crashed or disposed, every operation throws <see cref="MachineErrorCode.MachineGone"/>. Disposing it completes
/// <see cref="Exited"/> with Destroyed, as the real one does.
/// </summary>
internal sealed class FakeMachine(string machineId, MachineSpec spec, FakeMachineHost host) : IMachine
{
    private readonly TaskCompletionSource<MachineExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, string> _env = new(spec.Env);
    private readonly List<ExecRequest> _execs = [];
    private readonly List<FakePty> _ptys = [];
    private readonly Lock _gate = new();
    private EgressRules _egress = spec.Egress;

    public string MachineId { get; } = machineId;

    public MachineSpec Spec { get; } = spec;

    public int MemoryMb => Spec.MemoryMb;

    public string? GuestEndpoint => host.GuestEndpoint;

    public Task<MachineExit> Exited => _exited.Task;

    public bool IsDisposed { get; private set; }

    public IReadOnlyDictionary<string, string> Env
    {
        get
        {
            lock (_gate)
                return new Dictionary<string, string>(_env);
        }
    }

    public IReadOnlyList<ExecRequest> Execs
    {
        get
        {
            lock (_gate)
                return [.. _execs];
        }
    }

    /// <summary>The egress rules in force: the spec's, then each <see cref="SetEgressAsync"/>'s.</summary>
    public EgressRules Egress
    {
        get
        {
            lock (_gate)
                return _egress;
        }
    }

    /// <summary>Simulates QEMU dying on its own.</summary>
    public void Crash(string detail = "qemu exited with signal 9")
    {
        _exited.TrySetResult(new MachineExit(MachineExitReason.Crashed, detail));
        foreach (var pty in Ptys)
            pty.Fail(MachineId);
    }

    public Task SetEnvAsync(IReadOnlyDictionary<string, string> env, CancellationToken cancellationToken)
    {
        ThrowIfGone();
        lock (_gate)
        {
            foreach (var (key, value) in env)
                _env[key] = value;
        }
        return Task.CompletedTask;
    }

    public Task SetEgressAsync(EgressRules rules, CancellationToken cancellationToken)
    {
        ThrowIfGone();
        lock (_gate)
            _egress = rules;
        return Task.CompletedTask;
    }

    public async Task<ExecResult> ExecAsync(ExecRequest request, Func<OutputChunk, ValueTask>? onOutput, CancellationToken cancellationToken)
    {
        ThrowIfGone();
        lock (_gate)
            _execs.Add(request);
        return await host.RunScriptAsync(this, request, onOutput, cancellationToken);
    }

    /// <summary>This machine's disk: a host folder standing for the guest's <c>/</c> (with <c>/app</c> and <c>/tmp</c>).</summary>
    public string Root { get; } = CreateRoot(host.GuestRoot, machineId);

    /// <summary>
    /// Where a guest path lives on the host: normalised as the guest kernel would (<c>/..</c> is <c>/</c>), so a path
    /// such as <c>/../../etc/passwd</c> stays inside this machine's folder, as it stays inside a real VM.
    /// </summary>
    public string HostPath(string guestPath)
    {
        var normalised = guestPath.StartsWith('/') ? Path.GetFullPath(guestPath) : guestPath;
        var hostPath = Path.GetFullPath(Path.Combine(Root, normalised.TrimStart('/')));
        if (hostPath != Root && !hostPath.StartsWith(Root + "/", StringComparison.Ordinal))
            throw new MachineException(MachineErrorCode.InvalidPath, $"Guest path {guestPath}: outside the guest");
        return hostPath;
    }

    /// <summary>
    /// As the agent does: parents created, written to a temp file and renamed at the end, in 256 KiB chunks; a path
    /// the file system refuses (too long, a file where a folder should be) is <see cref="MachineErrorCode.InvalidPath"/>.
    /// </summary>
    public async Task<long> WriteFileAsync(string path, Stream content, CancellationToken cancellationToken)
    {
        ThrowIfGone();
        var target = Resolve(path);
        if (Directory.Exists(target))
            throw new MachineException(MachineErrorCode.IsDirectory, $"Guest path {path}: is a directory");
        var temp = target + ".capsule-tmp";
        FileStream opened;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            opened = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MachineException(MachineErrorCode.InvalidPath, $"Guest path {path}: {ex.Message}");
        }
        long size = 0;
        await using (var file = opened)
        {
            var buffer = new byte[ChunkBytes];
            int read;
            while ((read = await content.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken)) > 0)
            {
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                size += read;
            }
        }
        File.Move(temp, target, overwrite: true);
        return size;
    }

    /// <summary>As the agent does: not_found, is_directory, or the bytes in 256 KiB chunks.</summary>
    public async Task<long> ReadFileAsync(string path, Stream destination, CancellationToken cancellationToken)
    {
        ThrowIfGone();
        var source = Resolve(path);
        if (Directory.Exists(source))
            throw new MachineException(MachineErrorCode.IsDirectory, $"Guest path {path}: is a directory");
        if (!File.Exists(source))
            throw new MachineException(MachineErrorCode.FileNotFound, $"Guest path {path}: no such file");
        FileStream file;
        try
        {
            file = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MachineException(MachineErrorCode.InvalidPath, $"Guest path {path}: {ex.Message}");
        }
        await using var opened = file;
        var buffer = new byte[ChunkBytes];
        long size = 0;
        int read;
        while ((read = await file.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken)) > 0)
        {
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            size += read;
        }
        return size;
    }

    public Task<MachineStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        ThrowIfGone();
        return Task.FromResult(new MachineStats { MemTotalMb = MemoryMb, MemUsedMb = host.MemoryUsedMb, CpuTime = TimeSpan.Zero, Uptime = TimeSpan.Zero });
    }

    public Task<NetworkCounters> GetNetworkCountersAsync(CancellationToken cancellationToken)
    {
        ThrowIfGone();
        return Task.FromResult(host.NetworkCounters);
    }

    /// <summary>Every PTY opened on this machine, in order.</summary>
    public IReadOnlyList<FakePty> Ptys
    {
        get
        {
            lock (_gate)
                return [.. _ptys];
        }
    }

    public Task<IMachinePty> OpenPtyAsync(PtyRequest request, CancellationToken cancellationToken)
    {
        ThrowIfGone();
        var pty = new FakePty(request);
        lock (_gate)
            _ptys.Add(pty);
        return Task.FromResult<IMachinePty>(pty);
    }

    public ValueTask DisposeAsync()
    {
        IsDisposed = true;
        foreach (var pty in Ptys)
            pty.Fail(MachineId);
        _exited.TrySetResult(new MachineExit(MachineExitReason.Destroyed, "disposed"));
        return ValueTask.CompletedTask;
    }

    private const int ChunkBytes = 256 * 1024;

    private string Resolve(string path)
    {
        if (!path.StartsWith('/'))
            throw new MachineException(MachineErrorCode.InvalidPath, $"Guest path {path}: not absolute");
        return HostPath(path);
    }

    private static string CreateRoot(string guestRoot, string machineId)
    {
        var root = Path.Combine(guestRoot, machineId);
        Directory.CreateDirectory(Path.Combine(root, "app"));
        Directory.CreateDirectory(Path.Combine(root, "tmp"));
        return root;
    }

    private void ThrowIfGone()
    {
        if (IsDisposed || _exited.Task.IsCompleted)
            throw new MachineException(MachineErrorCode.MachineGone, $"Machine {MachineId} is gone");
    }
}
