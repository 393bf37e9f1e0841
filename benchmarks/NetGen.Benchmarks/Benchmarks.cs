using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;

namespace NetGen.Benchmarks;

/// <summary>
/// What every network benchmark shares: the inputs, one output array per engine, ONNX Runtime
/// and the naive loops over the same weights, and a check that every engine computes the same
/// outputs before anything is timed.
/// </summary>
[MemoryDiagnoser]
public abstract class NetworkBenchmark
{
    private OnnxModel _onnx = null!;
    private NaiveMlp _naive = null!;

    protected float[] Input { get; private set; } = [];

    protected float[] Output { get; private set; } = [];

    private float[] OnnxOutput { get; set; } = [];

    /// <summary>Samples per call: 1 runs <c>Forward</c>, more run <c>ForwardBatch</c>.</summary>
    public abstract int Rows { get; set; }

    protected abstract string File { get; }

    [GlobalSetup]
    public void Setup()
    {
        IReadOnlyList<MlpLayer> layers = MlpDescription.Load(File);
        var random = new Random(2026);
        Input = new float[Rows * layers[0].In];
        for (int i = 0; i < Input.Length; i++)
        {
            Input[i] = (float)((random.NextDouble() * 2) - 1);
        }

        Output = new float[Rows * layers[^1].Out];
        OnnxOutput = new float[Output.Length];
        _onnx = new OnnxModel(layers, Rows, Input, OnnxOutput);
        _naive = new NaiveMlp(layers);

        // Every engine must agree before any is timed.
        _onnx.Run();
        foreach (Action engine in Engines())
        {
            Array.Clear(Output);
            engine();
            for (int i = 0; i < Output.Length; i++)
            {
                if (Math.Abs(Output[i] - OnnxOutput[i]) > 1e-4f * (1 + Math.Abs(OnnxOutput[i])))
                {
                    throw new InvalidOperationException($"{File}: output {i} is {Output[i]}, ONNX Runtime gives {OnnxOutput[i]}.");
                }
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _onnx.Dispose();

    [Benchmark(Baseline = true, Description = "ONNX Runtime")]
    public void OnnxRuntime() => _onnx.Run();

    [Benchmark(Description = "naive loops")]
    public void Naive()
    {
        if (Rows == 1)
        {
            _naive.Forward(Input, Output);
        }
        else
        {
            _naive.ForwardBatch(Input, Output, Rows);
        }
    }

    protected virtual IEnumerable<Action> Engines() => [Naive];

    /// <summary>A generated entry point: <c>Forward</c> or <c>ForwardBatch</c>.</summary>
    protected delegate void Entry(ReadOnlySpan<float> input, Span<float> output);

    /// <summary>
    /// Runs a generated network: <c>Forward</c> for one row, <c>ForwardBatch</c> for more. Static
    /// method groups convert to cached delegates, so the call allocates nothing.
    /// </summary>
    protected void Run(Entry forward, Entry forwardBatch) => (Rows == 1 ? forward : forwardBatch)(Input, Output);
}

/// <summary>N1: the format's 2-3-2-1 example.</summary>
public class N1Benchmarks : NetworkBenchmark
{
    [Params(1)]
    public override int Rows { get; set; }

    protected override string File => "lesson.netgen.json";

    [Benchmark(Description = "NetGen (auto: unrolled)")]
    public void NetGen() => Lesson.Forward(Input, Output);

    [Benchmark(Description = "NetGen (vectorized)")]
    public void NetGenVectorized() => LessonVectorized.Forward(Input, Output);

    [Benchmark(Description = "NetGen (kernel)")]
    public void NetGenKernel() => LessonKernel.Forward(Input, Output);

    [Benchmark(Description = "hand-written unrolled")]
    public void HandWritten() => HandWrittenLesson.Forward(Input, Output);

    protected override IEnumerable<Action> Engines() => [.. base.Engines(), NetGen, NetGenVectorized, NetGenKernel, HandWritten];
}

/// <summary>
/// N1 as a developer writes it by hand at its fastest: the weights as literals, zero weights
/// dropped, every value in a local, <c>MathF.Exp</c> for the sigmoid.
/// </summary>
public static class HandWrittenLesson
{
    public static void Forward(ReadOnlySpan<float> x, Span<float> y)
    {
        float x0 = x[0], x1 = x[1];
        float a0 = MathF.Max(0, x0), a1 = MathF.Max(0, x1), a2 = MathF.Max(0, x1 - x0);
        float b0 = MathF.Max(0, a0 - a1), b1 = MathF.Max(0, a1 - a2);
        y[0] = 1f / (1f + MathF.Exp(-((2f * b0) - b1)));
    }
}

/// <summary>N2: 784-128-64-10, ReLU, ReLU, softmax.</summary>
public class N2Benchmarks : NetworkBenchmark
{
    [Params(1, 32)]
    public override int Rows { get; set; }

    protected override string File => "n2.netgen.json";

    [Benchmark(Description = "NetGen (auto: vectorized)")]
    public void NetGen() => Run(N2.Forward, N2.ForwardBatch);

    [Benchmark(Description = "NetGen (kernel)")]
    public void NetGenKernel() => Run(N2Kernel.Forward, N2Kernel.ForwardBatch);

    [Benchmark(Description = "NetGen (unrolled)")]
    public void NetGenUnrolled() => Run(N2Unrolled.Forward, N2Unrolled.ForwardBatch);

    protected override IEnumerable<Action> Engines() => [.. base.Engines(), NetGen, NetGenKernel, NetGenUnrolled];
}

/// <summary>N3: 512-2048-512 with GELU.</summary>
public class N3Benchmarks : NetworkBenchmark
{
    [Params(1, 16)]
    public override int Rows { get; set; }

    protected override string File => "n3.netgen.json";

    [Benchmark(Description = "NetGen (auto: vectorized)")]
    public void NetGen() => Run(N3.Forward, N3.ForwardBatch);

    [Benchmark(Description = "NetGen (kernel)")]
    public void NetGenKernel() => Run(N3Kernel.Forward, N3Kernel.ForwardBatch);

    protected override IEnumerable<Action> Engines() => [.. base.Engines(), NetGen, NetGenKernel];
}

/// <summary>The trained digits classifier (64-32-16-10, ReLU, ReLU, softmax).</summary>
public class DigitsBenchmarks : NetworkBenchmark
{
    [Params(1)]
    public override int Rows { get; set; }

    protected override string File => "digits.netgen.json";

    [Benchmark(Description = "NetGen (auto)")]
    public void NetGen() => Digits.Forward(Input, Output);

    [Benchmark(Description = "NetGen (vectorized)")]
    public void NetGenVectorized() => DigitsVectorized.Forward(Input, Output);

    [Benchmark(Description = "NetGen (kernel)")]
    public void NetGenKernel() => DigitsKernel.Forward(Input, Output);

    [Benchmark(Description = "NetGen (unrolled)")]
    public void NetGenUnrolled() => DigitsUnrolled.Forward(Input, Output);

    [Benchmark(Description = "NetGen (auto) with Cache")]
    public void NetGenCache()
    {
        var cache = default(Digits.Cache);
        Digits.Forward(Input, Output, ref cache);
    }

    protected override IEnumerable<Action> Engines() => [.. base.Engines(), NetGen, NetGenVectorized, NetGenKernel, NetGenUnrolled, NetGenCache];
}

/// <summary>
/// N2 and N3 at 64 rows on one thread and on two: NetGen's <c>ForwardBatch(inputs, outputs, threads)</c>
/// against ONNX Runtime with one and two intra-op threads.
/// </summary>
[MemoryDiagnoser]
public class ParallelBenchmarks
{
    private OnnxModel _onnx = null!;
    private OnnxModel _onnx2 = null!;
    private float[] _input = [];
    private float[] _output = [];
    private float[] _onnxOutput = [];

    [Params("n2", "n3")]
    public string Network { get; set; } = "n2";

    [Params(64)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        IReadOnlyList<MlpLayer> layers = MlpDescription.Load(Network + ".netgen.json");
        var random = new Random(2026);
        _input = new float[Rows * layers[0].In];
        for (int i = 0; i < _input.Length; i++)
        {
            _input[i] = (float)((random.NextDouble() * 2) - 1);
        }

        _output = new float[Rows * layers[^1].Out];
        _onnxOutput = new float[_output.Length];
        _onnx = new OnnxModel(layers, Rows, _input, _onnxOutput);
        _onnx2 = new OnnxModel(layers, Rows, _input, _onnxOutput, threads: 2);
        _onnx.Run();
        float[] single = new float[_output.Length];
        NetGenOneThread();
        _output.CopyTo(single, 0);
        NetGenTwoThreads();
        for (int i = 0; i < _output.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(_output[i]) != BitConverter.SingleToInt32Bits(single[i]))
            {
                throw new InvalidOperationException($"{Network}: output {i} is {_output[i]} on two threads, {single[i]} on one.");
            }

            if (Math.Abs(_output[i] - _onnxOutput[i]) > 1e-4f * (1 + Math.Abs(_onnxOutput[i])))
            {
                throw new InvalidOperationException($"{Network}: output {i} is {_output[i]}, ONNX Runtime gives {_onnxOutput[i]}.");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _onnx.Dispose();
        _onnx2.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ONNX Runtime, 1 thread")]
    public void OnnxRuntime() => _onnx.Run();

    [Benchmark(Description = "ONNX Runtime, 2 threads")]
    public void OnnxRuntimeTwoThreads() => _onnx2.Run();

    [Benchmark(Description = "NetGen, 1 thread")]
    public void NetGenOneThread()
    {
        if (Network == "n2")
        {
            N2.ForwardBatch(_input, _output);
        }
        else
        {
            N3.ForwardBatch(_input, _output);
        }
    }

    [Benchmark(Description = "NetGen, 2 threads")]
    public void NetGenTwoThreads()
    {
        if (Network == "n2")
        {
            N2.ForwardBatch(_input, _output, threads: 2);
        }
        else
        {
            N3.ForwardBatch(_input, _output, threads: 2);
        }
    }
}
