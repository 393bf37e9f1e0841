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
    /// Tiered compilation counts calls only from 100 ms after the last tier-0 compilation, and the
    /// thread whose call promotes a method can allocate for the runtime while it does so, once: a
    /// warm-up shorter than that let such an allocation (1,928 bytes, once, in 1,000 calls) land in
    /// the measured calls. Past the warm-up, the least of three windows of <paramref name="calls"/>
    /// runs is returned: a one-off allocation of the runtime's lands in at most one of them, while
    /// an allocation per call shows in every one.
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
