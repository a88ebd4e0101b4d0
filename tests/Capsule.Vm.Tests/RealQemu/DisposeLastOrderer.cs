using Xunit.Sdk;
using Xunit.v3;

namespace Capsule.Vm.Tests.RealQemu;

/// <summary>Runs tests named DisposeAsync_* after the others, so the shared machine is destroyed last.</summary>
public sealed class DisposeLastOrderer : ITestCaseOrderer
{
    public IReadOnlyCollection<TTestCase> OrderTestCases<TTestCase>(IReadOnlyCollection<TTestCase> testCases)
        where TTestCase : notnull, ITestCase =>
        [.. testCases
            .OrderBy(t => t.TestMethodName?.StartsWith("DisposeAsync", StringComparison.Ordinal) == true ? 1 : 0)
            .ThenBy(t => t.TestMethodName, StringComparer.Ordinal)];
}
