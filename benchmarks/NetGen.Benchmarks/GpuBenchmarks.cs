using System;
using BenchmarkDotNet.Attributes;
#if LARGE_BENCHMARKS
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
#endif
using NetGen.Gpu;

namespace NetGen.Benchmarks;

/// <summary>
/// A network through the CPU code's <c>ForwardBatch</c> and through a GPU session, on the
/// device <see cref="GpuDevice.Create"/> picks: CUDA or OpenCL where present, else ILGPU's CPU
/// accelerator. Each session call copies the batch to the device and the outputs back, so the
/// figures are what a caller sees.
/// </summary>
/// <remarks>
/// Few iterations: at large batches on the CPU accelerator one call takes seconds, and the
/// figures are for finding the crossover, not for nanoseconds. The CPU code runs on one thread;
/// the CPU accelerator uses every core. Each method has its own setup, so that no device (and
/// none of the CPU accelerator's worker threads) exists while the CPU code is timed.
/// </remarks>
[MemoryDiagnoser]
public abstract class GpuComparison
{
    private GpuDevice _device = null!;
    private GpuSession _session = null!;
    private float[] _input = [];
    private float[] _output = [];

    /// <summary>Samples per call.</summary>
    public abstract int Rows { get; set; }

    protected abstract int InputSize { get; }

    protected abstract int OutputSize { get; }

    protected abstract void ForwardBatch(ReadOnlySpan<float> inputs, Span<float> outputs);

    protected abstract GpuSession CreateSession(GpuDevice device, int maxRows);

    [GlobalSetup(Target = nameof(Cpu))]
    public void SetupCpu()
    {
        var random = new Random(2026);
        _input = new float[Rows * InputSize];
        for (int i = 0; i < _input.Length; i++)
        {
            _input[i] = (float)((random.NextDouble() * 2) - 1);
        }

        _output = new float[Rows * OutputSize];
    }

    [GlobalSetup(Target = nameof(Gpu))]
    public void SetupGpu()
    {
        SetupCpu();
        _device = GpuDevice.Create(GpuBackend.Auto);
        _session = CreateSession(_device, Rows);
        Console.WriteLine($"// GPU device: {_device}");

        // The two paths must agree before either is timed.
        var expected = new float[_output.Length];
        ForwardBatch(_input, expected);
        _session.ForwardBatch(_input, _output);
        for (int i = 0; i < _output.Length; i++)
        {
            if (Math.Abs(_output[i] - expected[i]) > 1e-4f * (1 + Math.Abs(expected[i])))
            {
                throw new InvalidOperationException($"{GetType().Name} on {_device}: output {i} is {_output[i]}, the CPU code gives {expected[i]}.");
            }
        }
    }

    [GlobalCleanup(Target = nameof(Gpu))]
    public void Cleanup()
    {
        _session.Dispose();
        _device.Dispose();
    }

    [Benchmark(Baseline = true, Description = "NetGen CPU ForwardBatch")]
    public void Cpu() => ForwardBatch(_input, _output);

    [Benchmark(Description = "NetGen GPU session")]
    public void Gpu() => _session.ForwardBatch(_input, _output);
}

/// <summary>G1: 1024-4096-1024 with GELU, 8.4M weights in a weight file.</summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class G1GpuBenchmarks : GpuComparison
{
    [Params(1, 4, 16, 64, 256, 1024)]
    public override int Rows { get; set; }

    protected override int InputSize => G1.InputSize;

    protected override int OutputSize => G1.OutputSize;

    protected override void ForwardBatch(ReadOnlySpan<float> inputs, Span<float> outputs) => G1.ForwardBatch(inputs, outputs);

    protected override GpuSession CreateSession(GpuDevice device, int maxRows) => G1.CreateGpuSession(device, maxRows);
}

#if LARGE_BENCHMARKS
/// <summary>G2: 4096-16384-4096 with GELU, 134M weights in a 512 MiB weight file (build with -p:NetGenLargeBenchmarks=true).</summary>
/// <remarks>
/// In process: BenchmarkDotNet's own rebuild of the project would not pass the property that
/// includes G2, and one process per case would embed and load the 512 MiB assembly again.
/// </remarks>
[Config(typeof(InProcessConfig))]
public class G2GpuBenchmarks : GpuComparison
{
    private sealed class InProcessConfig : ManualConfig
    {
        public InProcessConfig() => AddJob(Job.Default.WithWarmupCount(2).WithIterationCount(5).WithToolchain(InProcessEmitToolchain.Instance));
    }

    [Params(1, 16, 256, 4096)]
    public override int Rows { get; set; }

    protected override int InputSize => G2.InputSize;

    protected override int OutputSize => G2.OutputSize;

    protected override void ForwardBatch(ReadOnlySpan<float> inputs, Span<float> outputs) => G2.ForwardBatch(inputs, outputs);

    protected override GpuSession CreateSession(GpuDevice device, int maxRows) => G2.CreateGpuSession(device, maxRows);
}
#endif
