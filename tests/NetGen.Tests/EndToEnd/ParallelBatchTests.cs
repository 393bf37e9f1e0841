using System;
using System.Linq;
using System.Threading;
using NetGen.Runtime;
using NetGen.Tests.Harness;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>
/// <c>ForwardBatch(inputs, outputs, threads)</c>: the single-threaded outputs bit for bit, its
/// arguments checked, a failure on a worker thrown on the caller, and nothing allocated on any
/// thread once the workers run.
/// </summary>
/// <remarks>
/// The class runs alone (<see cref="ParallelBatchCollection"/>): other tests' parallel batches
/// would otherwise take NetGen's workers, and its calls would run on one thread.
/// </remarks>
[Collection(nameof(ParallelBatchCollection))]
public sealed class ParallelBatchTests
{
    [Theory]
    [InlineData(2, 64)]
    [InlineData(2, 33)]
    [InlineData(8, 200)]
    [InlineData(2, 31)]
    [InlineData(1, 64)]
    public void A_batch_split_across_threads_gives_the_single_threaded_bits(int threads, int rows)
    {
        var random = new Random(rows);
        float[] inputs = Enumerable.Range(0, rows * Digits.InputSize).Select(_ => (float)random.NextDouble() * 16).ToArray();
        float[] alone = new float[rows * Digits.OutputSize];
        float[] split = new float[rows * Digits.OutputSize];
        Digits.ForwardBatch(inputs, alone);
        Digits.ForwardBatch(inputs, split, threads);
        Assert.Equal(alone, split);

        float[] lessonInputs = inputs.Take(rows * Lesson.InputSize).ToArray();
        float[] lessonAlone = new float[rows];
        float[] lessonSplit = new float[rows];
        Lesson.ForwardBatch(lessonInputs, lessonAlone);
        Lesson.ForwardBatch(lessonInputs, lessonSplit, threads);
        Assert.Equal(lessonAlone, lessonSplit);
    }

    [Fact]
    public void The_arguments_are_checked_as_the_single_threaded_ones_are()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Digits.ForwardBatch(new float[Digits.InputSize], new float[Digits.OutputSize], 0));
        Assert.Equal("threads", e.ParamName);
        Assert.Contains("at least 1 thread", e.Message);

        var lengths = Assert.Throws<ArgumentException>(() => Digits.ForwardBatch(new float[Digits.InputSize * 40], new float[Digits.OutputSize * 39], 2));
        Assert.Equal("outputs", lengths.ParamName);
        Assert.Contains($"Expected outputs to have length {Digits.OutputSize * 40}", lengths.Message);

        float[] buffer = new float[Digits.InputSize * 40];
        var overlap = Assert.Throws<ArgumentException>(() => Digits.ForwardBatch(buffer, buffer.AsSpan(0, Digits.OutputSize * 40), 2));
        Assert.Contains("must not overlap", overlap.Message);

        Assert.Throws<ArgumentNullException>(() => ParallelBatch.Run(new float[4], new float[4], 1, 1, 2, null!));
    }

    [Fact]
    public void A_failure_on_a_worker_is_thrown_on_the_calling_thread_and_the_workers_run_on()
    {
        int caller = Environment.CurrentManagedThreadId;
        void FailOnWorker(ReadOnlySpan<float> x, Span<float> y)
        {
            if (Environment.CurrentManagedThreadId != caller)
            {
                throw new InvalidOperationException("a share failed");
            }
        }

        float[] inputs = new float[64];
        float[] outputs = new float[64];
        if (Environment.ProcessorCount > 1)
        {
            var e = Assert.Throws<InvalidOperationException>(() => ParallelBatch.Run(inputs, outputs, 1, 1, 2, FailOnWorker));
            Assert.Equal("a share failed", e.Message);
        }

        // The pool is intact: the next call runs every share.
        int shares = 0;
        ParallelBatch.Run(inputs, outputs, 1, 1, 2, (x, y) =>
        {
            Interlocked.Increment(ref shares);
            x.CopyTo(y);
        });
        Assert.Equal(Math.Min(2, Environment.ProcessorCount), shares);
    }

    /// <remarks>
    /// Counts the allocations of the threads that run the batch, each on its own thread: the
    /// caller's around the generated call, and each worker's around its share (a process-wide
    /// count would also take in whatever the test host's other threads allocate meanwhile).
    /// </remarks>
    [Fact]
    public void A_parallel_batch_allocates_nothing_on_any_thread_after_the_first_call()
    {
        const int Rows = 64;
        s_caller = Environment.CurrentManagedThreadId;
        float[] inputs = new float[Rows * Digits.InputSize];
        float[] outputs = new float[Rows * Digits.OutputSize];
        for (int i = 0; i < 100; i++)
        {
            ParallelBatch.Run(inputs, outputs, Digits.InputSize, Digits.OutputSize, 2, s_measured);
        }

        Assert.Equal(0, Allocations.Steady(() => Digits.ForwardBatch(inputs, outputs, 2)));

        Interlocked.Exchange(ref s_workerBytes, 0);
        Interlocked.Exchange(ref s_workerShares, 0);
        for (int i = 0; i < 1000; i++)
        {
            ParallelBatch.Run(inputs, outputs, Digits.InputSize, Digits.OutputSize, 2, s_measured);
        }

        Assert.Equal(0, Interlocked.Read(ref s_workerBytes));
        Assert.Equal(Environment.ProcessorCount > 1 ? 1000 : 0, Interlocked.Read(ref s_workerShares));
    }

    private static readonly ParallelBatch.RowsAction s_measured = MeasuredForwardBatch;
    private static long s_workerBytes;
    private static long s_workerShares;
    private static int s_caller;

    /// <summary>Digits' ForwardBatch, counting what it allocates when it runs on a worker.</summary>
    private static void MeasuredForwardBatch(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        Digits.ForwardBatch(inputs, outputs);
        if (Environment.CurrentManagedThreadId != s_caller)
        {
            Interlocked.Add(ref s_workerBytes, GC.GetAllocatedBytesForCurrentThread() - before);
            Interlocked.Increment(ref s_workerShares);
        }
    }
}

/// <summary>Runs <see cref="ParallelBatchTests"/> alone, so that it counts only its own allocations.</summary>
[CollectionDefinition(nameof(ParallelBatchCollection), DisableParallelization = true)]
public sealed class ParallelBatchCollection;
