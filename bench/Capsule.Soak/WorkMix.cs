using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Capsule.Soak;

/// <summary>
/// What a worker does next, and the answer it must get. Python keeps state between calls (a counter in the
/// interpreter's globals, checked every time it moves), computes, and writes and reads files; bash echoes, lists and
/// pipes; now and then a file goes up and comes back down, or an execution runs asynchronously.
/// </summary>
internal static class WorkMix
{
    /// <summary>The variable that carries a session's state; a fresh VM must not have it.</summary>
    public const string Counter = "soak_n";

    public enum Step
    {
        Python,
        Bash,
        Files,
        Async,
        Network,
    }

    /// <summary>Python 55% (50% and a network step 5% with a test internet), bash 30%, an upload and download 8%, an async execution 7%.</summary>
    public static Step Pick(Random random, bool network) => random.Next(100) switch
    {
        < 50 => Step.Python,
        < 55 => network ? Step.Network : Step.Python,
        < 85 => Step.Bash,
        < 93 => Step.Files,
        _ => Step.Async,
    };

    /// <summary>The session's default policy allows alpha.test: it answers through the proxy; beta.test does not resolve.</summary>
    public static ExecWork Network() =>
        new(OpKind.Network, "bash", "curl -s -m 30 http://alpha.test/; getent hosts beta.test >/dev/null || echo denied",
            "server=alpha host=alpha.test sni=- port=80\ndenied");

    /// <summary>The first call on a fresh VM: its interpreter must not know the counter.</summary>
    public static ExecWork FreshCheck() =>
        new(OpKind.Spawn, "python", $"print(globals().get('{Counter}', 0))", "0");

    public static ExecWork Increment(OpKind kind, int counter) =>
        new(kind, "python", $"{Counter} = globals().get('{Counter}', 0) + 1\nprint({Counter})", I(counter + 1), Increments: true);

    public static ExecWork Python(Random random, int worker, int counter)
    {
        var token = Token(random);
        switch (random.Next(5))
        {
            case 0:
                return Increment(OpKind.Python, counter);
            case 1:
                var n = random.Next(1_000, 50_000);
                return new(OpKind.Python, "python", $"print(sum(i * i for i in range({I(n)})))", I((long)(n - 1) * n * (2L * n - 1) / 6));
            case 2:
                var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token)));
                return new(OpKind.Python, "python", $"import hashlib\nprint(hashlib.sha256(b'{token}').hexdigest())", hash);
            case 3:
                var lines = random.Next(1, 500);
                return new(OpKind.Python, "python",
                    $"p = '/tmp/soak-{I(worker)}.txt'\nwith open(p, 'w') as f:\n    f.write('{token}\\n' * {I(lines)})\n" +
                    $"with open(p) as f:\n    print(f.read().count('{token}'), globals().get('{Counter}', 0))",
                    $"{I(lines)} {I(counter)}");
            default:
                var code = random.Next(1, 100);
                return new(OpKind.Python, "python", $"import sys\nprint('{token}', file=sys.stderr)\nsys.exit({I(code)})", "", code, ExpectedStderr: token);
        }
    }

    public static ExecWork Bash(Random random, int worker)
    {
        var token = Token(random);
        switch (random.Next(5))
        {
            case 0:
                return new(OpKind.Bash, "bash", $"echo {token}", token);
            case 1:
                return new(OpKind.Bash, "bash", "ls / | grep -c -x -e etc -e tmp -e usr", "3");
            case 2:
                var n = random.Next(10, 5000);
                return new(OpKind.Bash, "bash", $"seq 1 {I(n)} | sort -rn | head -n 1", I(n));
            case 3:
                return new(OpKind.Bash, "bash",
                    $"cd /tmp && echo {token} > soak-bash-{I(worker)}.txt && wc -c < soak-bash-{I(worker)}.txt", I(token.Length + 1));
            default:
                var (a, b) = (random.Next(1, 100_000), random.Next(1, 100_000));
                return new(OpKind.Bash, "bash", $"echo $(( {I(a)} * {I(b)} ))", I((long)a * b));
        }
    }

    /// <summary>Async work: sleeps a little, then bumps the counter (so it checks state too).</summary>
    public static ExecWork AsyncIncrement(int counter) =>
        new(OpKind.Async, "python", $"import time\ntime.sleep(0.3)\n{Counter} = globals().get('{Counter}', 0) + 1\nprint({Counter})",
            I(counter + 1), Increments: true);

    private static string Token(Random random) => "t" + Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64()));

    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);
}
