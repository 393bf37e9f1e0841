using System;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace NetGen.Runtime;

/// <summary>
/// Runs a network's <c>ForwardBatch</c> over a batch with its rows split across threads: the
/// calling thread takes the first share and up to <c>threads − 1</c> of NetGen's worker threads
/// the others. Generated networks call it from their <c>ForwardBatch(inputs, outputs, threads)</c>.
/// </summary>
/// <remarks>
/// <para>
/// <b>Same bits.</b> Every row of a batch is computed by the same kernels in the same order
/// whichever rows it shares a call with, so a split batch gives exactly the outputs of the
/// single-threaded call.
/// </para>
/// <para>
/// <b>Workers.</b> The worker threads are background threads, started on the first call that
/// needs them (at most <see cref="Environment.ProcessorCount"/> − 1 of them) and kept for the
/// life of the process; after that first call nothing is allocated. A worker spins for about
/// 100 µs after its share, so that a caller that runs a batch per frame or in a loop finds it
/// awake, and then sleeps until the next call. One parallel call runs at a time: a call made
/// while another thread's is running, or from a worker itself, runs on its own thread alone.
/// </para>
/// <para>
/// <b>When it pays.</b> Each share costs a hand-off of a few microseconds, so a batch is split
/// only into shares of at least <see cref="MinimumRowsPerThread"/> rows; small networks or small
/// batches run on the calling thread.
/// </para>
/// </remarks>
public static class ParallelBatch
{
    /// <summary>The fewest rows a share of a split batch has.</summary>
    public const int MinimumRowsPerThread = 16;

    /// <summary>A network's single-threaded batch entry point.</summary>
    /// <param name="inputs">Whole rows of inputs.</param>
    /// <param name="outputs">The outputs of the same rows.</param>
    public delegate void RowsAction(ReadOnlySpan<float> inputs, Span<float> outputs);

    private static readonly object s_gate = new();
    private static Worker[] s_workers = Array.Empty<Worker>();

    [ThreadStatic]
    private static bool t_isWorker;

    /// <summary>
    /// Runs <paramref name="forward"/> on <paramref name="inputs"/> and <paramref name="outputs"/>
    /// (<c>rows × inputSize</c> and <c>rows × outputSize</c> floats), split into up to
    /// <paramref name="threads"/> shares of whole rows that run at the same time.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="forward"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is less than 1, or a size is less than 1.</exception>
    /// <exception cref="ArgumentException">The lengths are not whole rows or disagree on the row count.</exception>
    public static unsafe void Run(ReadOnlySpan<float> inputs, Span<float> outputs, int inputSize, int outputSize, int threads, RowsAction forward)
    {
        if (forward is null)
        {
            throw new ArgumentNullException(nameof(forward));
        }

        if (threads < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "Expected at least 1 thread.");
        }

        if (inputSize < 1 || outputSize < 1)
        {
            throw new ArgumentOutOfRangeException(inputSize < 1 ? nameof(inputSize) : nameof(outputSize), "Expected a size of at least 1.");
        }

        int rows = Guard.BatchRows(inputs.Length, outputs.Length, inputSize, outputSize, nameof(inputs), nameof(outputs));
        int shares = Math.Min(Math.Min(threads, Environment.ProcessorCount), rows / MinimumRowsPerThread);
        if (shares <= 1 || t_isWorker || !Monitor.TryEnter(s_gate))
        {
            forward(inputs, outputs);
            return;
        }

        try
        {
            Worker[] workers = Workers(shares - 1);
            fixed (float* x = inputs)
            fixed (float* y = outputs)
            {
                // Shares of whole rows, a multiple of 8 where the batch allows (the kernels' widest
                // tile), the first share (this thread's) the largest.
                int per = (rows + shares - 1) / shares;
                per = Math.Min(rows, (per + 7) / 8 * 8);
                int start = per;
                int started = 0;
                for (; started < shares - 1 && start < rows; started++)
                {
                    int count = Math.Min(per, rows - start);
                    workers[started].Start(forward, x + ((long)start * inputSize), count * inputSize, y + ((long)start * outputSize), count * outputSize);
                    start += count;
                }

                ExceptionDispatchInfo? failure = null;
                try
                {
                    forward(inputs.Slice(0, Math.Min(per, rows) * inputSize), outputs.Slice(0, Math.Min(per, rows) * outputSize));
                }
                catch (Exception e)
                {
                    failure = ExceptionDispatchInfo.Capture(e);
                }

                for (int i = 0; i < started; i++)
                {
                    failure ??= workers[i].Join();
                }

                failure?.Throw();
            }
        }
        finally
        {
            Monitor.Exit(s_gate);
        }
    }

    /// <summary>At least <paramref name="count"/> started workers (called under the gate).</summary>
    private static Worker[] Workers(int count)
    {
        if (s_workers.Length < count)
        {
            var workers = new Worker[count];
            Array.Copy(s_workers, workers, s_workers.Length);
            for (int i = s_workers.Length; i < count; i++)
            {
                workers[i] = new Worker(i + 1);
            }

            s_workers = workers;
        }

        return s_workers;
    }

    /// <summary>One background thread and the share it runs.</summary>
    /// <remarks>
    /// The hand-off is a state under a lock: the caller sets it to 1 and pulses, the worker runs
    /// the share, sets it to 2 and pulses. Each side spins briefly before it waits, so that
    /// back-to-back calls never sleep. <see cref="Monitor"/> allocates nothing on the managed heap
    /// to wait (a lazily created wait handle, as <c>ManualResetEventSlim</c> makes, would be one
    /// allocation in a call long after the first).
    /// </remarks>
    private sealed unsafe class Worker
    {
        private static readonly long SpinTicks = Stopwatch.Frequency / 10_000;

        private readonly object _gate = new();
        private RowsAction? _forward;
        private float* _x;
        private float* _y;
        private int _xLength;
        private int _yLength;
        private ExceptionDispatchInfo? _failure;
        private volatile int _state; // 0: idle, 1: a share to run, 2: the share done

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"NetGen batch worker {index}" };
            thread.Start();
        }

        public void Start(RowsAction forward, float* x, int xLength, float* y, int yLength)
        {
            _forward = forward;
            _x = x;
            _xLength = xLength;
            _y = y;
            _yLength = yLength;
            _failure = null;
            lock (_gate)
            {
                _state = 1;
                Monitor.Pulse(_gate);
            }
        }

        public ExceptionDispatchInfo? Join()
        {
            Await(2);
            _state = 0;
            _forward = null;
            return _failure;
        }

        private void Loop()
        {
            t_isWorker = true;
            while (true)
            {
                Await(1);
                try
                {
                    _forward!(new ReadOnlySpan<float>(_x, _xLength), new Span<float>(_y, _yLength));
                }
                catch (Exception e)
                {
                    _failure = ExceptionDispatchInfo.Capture(e);
                }

                lock (_gate)
                {
                    _state = 2;
                    Monitor.Pulse(_gate);
                }
            }
        }

        /// <summary>Spins for about 100 µs, then sleeps, until the state is <paramref name="state"/>.</summary>
        private void Await(int state)
        {
            long until = Stopwatch.GetTimestamp() + SpinTicks;
            while (_state != state && Stopwatch.GetTimestamp() < until)
            {
                Thread.SpinWait(32);
            }

            if (_state != state)
            {
                lock (_gate)
                {
                    while (_state != state)
                    {
                        Monitor.Wait(_gate);
                    }
                }
            }
        }
    }
}
