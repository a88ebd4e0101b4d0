using Microsoft.Extensions.Time.Testing;

namespace Capsule.Vm.Tests.Support;

/// <summary>Drives a <see cref="FakeTimeProvider"/> while the code under test runs on other threads (sockets, the pool).</summary>
internal static class FakeClock
{
    /// <summary>
    /// Moves the clock on by <paramref name="step"/> at most <paramref name="maxSteps"/> times, until <paramref name="done"/>
    /// holds. Between steps the code under test gets a moment of real time to react (to arm its next timer, to read a
    /// socket); that moment decides nothing: only the fake time passed does. Returns the fake time that passed.
    /// </summary>
    public static async Task<TimeSpan> AdvanceUntilAsync(this FakeTimeProvider time, TimeSpan step, Func<bool> done, int maxSteps = 2000)
    {
        var passed = TimeSpan.Zero;
        for (var i = 0; i < maxSteps && !done(); i++)
        {
            time.Advance(step);
            passed += step;
            await Task.Delay(2, TestContext.Current.CancellationToken);
        }
        return passed;
    }

    /// <summary>Moves the clock on by <paramref name="step"/>, <paramref name="steps"/> times, as <see cref="AdvanceUntilAsync"/> does.</summary>
    public static Task AdvanceAsync(this FakeTimeProvider time, TimeSpan step, int steps) =>
        time.AdvanceUntilAsync(step, () => false, steps);
}
