using System;
using System.Diagnostics;

namespace NetGen.Tests.Harness;

/// <summary>What code allocates on the calling thread once the JIT has settled.</summary>
internal static class Allocations
{
    private const int Windows = 3;

    /// <summary>
    /// The bytes that <paramref name="calls"/> runs of <paramref name="run"/> allocate on this
    /// thread, after a warm-up of at least 100 runs and 500 ms.
    /// </summary>
    /// <remarks>
    /// A warm-up of 100 runs (about a millisecond) once let 1,928 bytes land in 1,000 measured calls,
    /// on a loaded machine; most likely calls that still ran tier-0 code, which reads inline weight
    /// data through a small allocation per call (README), because tiered compilation counts calls
    /// only from 100 ms after the last tier-0 compilation and then compiles the optimized code in
    /// the background. Past the longer warm-up, the least of three windows of
    /// <paramref name="calls"/> runs is returned: a late switch to optimized code lands in at most
    /// one of them, while an allocation of the optimized code's shows in every one.
    /// </remarks>
    public static long Steady(Action run, int calls = 1000)
    {
        var warmUp = Stopwatch.StartNew();
        for (int i = 0; i < 100 || warmUp.ElapsedMilliseconds < 500; i++)
        {
            run();
        }

        long least = long.MaxValue;
        for (int window = 0; window < Windows && least != 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < calls; i++)
            {
                run();
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
