using System.CommandLine;
using Capsule.Client;

namespace Capsule.Cli.Commands;

/// <summary>The VM shape options shared by <c>create</c> and <c>run</c>.</summary>
internal sealed class SessionShape
{
    public Option<int?> Vcpu { get; } = CommonOptions.PositiveInt("--vcpu", "Virtual CPUs: 1, 2, 4, 6 or 8 (default 2)");

    public Option<int?> Memory { get; } = CommonOptions.PositiveInt("--memory", "Guest memory in MB, even, 128-8192 (default 512)");

    public Option<int?> Lifetime { get; } = CommonOptions.PositiveInt("--lifetime", "VM lifetime in seconds, 20-86400 (default 300)");

    public Option<string[]> Env { get; } = CommonOptions.Pairs("--env", "Env var for every execution");

    public void AddTo(Command command)
    {
        command.Options.Add(Vcpu);
        command.Options.Add(Memory);
        command.Options.Add(Lifetime);
        command.Options.Add(Env);
    }

    public SessionOptions ToOptions(CliContext context) => new()
    {
        VcpuCount = context.Get(Vcpu),
        MemoryMb = context.Get(Memory),
        Lifetime = context.Get(Lifetime) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
        Env = CommonOptions.ToDictionary(context.Get(Env)),
    };
}
