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

    protected override IEnumerable<Action> Engines() => [.. base.Engines(), NetGen, NetGenVectorized, NetGenKernel];
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
