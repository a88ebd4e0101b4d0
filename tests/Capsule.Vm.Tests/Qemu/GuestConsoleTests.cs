using System.Net.Sockets;
using System.Text;
using Capsule.Vm.Qemu;
using Capsule.Vm.Tests.Support;

namespace Capsule.Vm.Tests.Qemu;

/// <summary>The console socket QEMU serves, played by a test: the host keeps only the tail, however much comes.</summary>
public sealed class GuestConsoleTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Tail_FloodedConsole_KeepsOnlyTheLastBytes()
    {
        using var listener = UnixListener.Listen(_temp.File("console.sock"));
        var connect = GuestConsole.ConnectAsync(_temp.File("console.sock"), TimeProvider.System, Ct);
        using (var qemu = await listener.AcceptAsync(Ct).AsTask().Bounded())
        {
            await using var console = await connect.Bounded();
            var line = Encoding.ASCII.GetBytes(new string('f', 1000) + "\n");
            for (var i = 0; i < 50_000; i++) // 50 MB
                await qemu.SendAsync(line, SocketFlags.None, Ct);
            await qemu.SendAsync("Kernel panic - not syncing: the end\n"u8.ToArray(), SocketFlags.None, Ct);
            qemu.Shutdown(SocketShutdown.Both);
            qemu.Close();
            await console.Completion.Bounded();

            Assert.Equal(50_000L * 1001 + 36, console.TotalBytes);
            Assert.Equal("Kernel panic - not syncing: the end", console.Tail(1));
            var all = console.Tail(int.MaxValue);
            Assert.True(all.Length <= GuestConsole.TailBytes, $"{all.Length} chars kept");
        }
    }

    [Fact]
    public void CreatePrivate_RunAndMachineFolders_AreOwnerOnly()
    {
        var run = _temp.File("run");
        var folder = new MachineFolder(Path.Combine(run, "vm-0000abcd"));

        folder.Create();

        Assert.Equal(MachineFolder.PrivateMode, File.GetUnixFileMode(folder.Path));
        Assert.Equal(MachineFolder.PrivateMode, File.GetUnixFileMode(run));
    }

    public void Dispose() => _temp.Dispose();
}
