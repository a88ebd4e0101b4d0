using PublicApiGenerator;

namespace Capsule.Client.Tests.PublicApi;

/// <summary>
/// Keeps the SDK's public surface deliberate: the generated API must equal the checked-in
/// <c>PublicApi.verified.txt</c>. After an intended change, run the tests with <c>CAPSULE_ACCEPT_API=1</c> to rewrite
/// the file, and review its diff like code.
/// </summary>
public sealed class PublicApiTests
{
    private const string AcceptVariable = "CAPSULE_ACCEPT_API";

    [Fact]
    public void PublicApi_Generated_MatchesTheVerifiedFile()
    {
        var actual = Normalize(typeof(CapsuleClient).Assembly.GeneratePublicApi(new ApiGeneratorOptions
        {
            // Compiler and build details, not API: state-machine type names change with member order.
            ExcludeAttributes =
            [
                "System.Runtime.Versioning.TargetFrameworkAttribute",
                "System.Reflection.AssemblyMetadataAttribute",
                "System.Runtime.CompilerServices.InternalsVisibleToAttribute",
                "System.Runtime.CompilerServices.AsyncIteratorStateMachineAttribute",
            ],
        }));
        var path = VerifiedFilePath();

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"{path} is missing; run the tests with {AcceptVariable}=1 to create it.");
        var verified = Normalize(File.ReadAllText(path));
        Assert.True(verified == actual, Explain(verified, actual, path));
    }

    private static string Explain(string verified, string actual, string path)
    {
        var expectedLines = verified.Split('\n');
        var actualLines = actual.Split('\n');
        var removed = expectedLines.Except(actualLines, StringComparer.Ordinal).Select(l => "- " + l.Trim());
        var added = actualLines.Except(expectedLines, StringComparer.Ordinal).Select(l => "+ " + l.Trim());
        return $"""
            The public API of Capsule.Client changed. If that is intended, run the tests with {AcceptVariable}=1 and commit
            {path}. Lines (- only in the verified file, + only in the assembly):
            {string.Join("\n", removed.Concat(added))}
            """;
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd() + "\n";

    /// <summary>The checked-in file in the source tree (not a build-time path: CI builds map source paths).</summary>
    private static string VerifiedFilePath() =>
        Path.Combine(RepoPaths.Root, "tests", "Capsule.Client.Tests", "PublicApi", "PublicApi.verified.txt");
}
