using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using NetGen.Runtime;

namespace NetGen.Benchmarks;

/// <summary>
/// The GELUs over 32,768 values (N3's hidden layer at batch 16), uniform in [-4, 4]: the
/// runtime's one-pass forms in registers and their one-value overloads (what unrolled layers
/// call) against a scalar loop of the float64 formulas (what a hand-written loop computes), with <see cref="TensorPrimitives"/>'
/// exponential and tanh over the same values as a library's cost for one transcendental function.
/// </summary>
[MemoryDiagnoser]
public class ActivationBenchmarks
{
    private const int Count = 16 * 2048;

    private readonly float[] _x = new float[Count];
    private readonly float[] _y = new float[Count];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(5);
        for (int i = 0; i < Count; i++)
        {
            _x[i] = (float)((random.NextDouble() * 8) - 4);
        }
    }

    [Benchmark(Baseline = true, Description = "GELU (exact), NetGen")]
    public void Gelu() => Activations.Gelu(_x, _y);

    [Benchmark(Description = "GELU (exact), NetGen, one value per call")]
    public void GeluPerValue()
    {
        for (int i = 0; i < Count; i++)
        {
            _y[i] = Activations.Gelu(_x[i]);
        }
    }

    [Benchmark(Description = "GELU (exact), scalar float64 loop")]
    public void GeluScalar()
    {
        for (int i = 0; i < Count; i++)
        {
            _y[i] = SpecialFunctions.Gelu(_x[i]);
        }
    }

    [Benchmark(Description = "GELU (tanh), NetGen")]
    public void GeluTanh() => Activations.GeluTanh(_x, _y);

    [Benchmark(Description = "GELU (tanh), NetGen, one value per call")]
    public void GeluTanhPerValue()
    {
        for (int i = 0; i < Count; i++)
        {
            _y[i] = Activations.GeluTanh(_x[i]);
        }
    }

    [Benchmark(Description = "GELU (tanh), scalar float64 loop")]
    public void GeluTanhScalar()
    {
        for (int i = 0; i < Count; i++)
        {
            _y[i] = SpecialFunctions.GeluTanh(_x[i]);
        }
    }

    [Benchmark(Description = "TensorPrimitives.Exp")]
    public void Exp() => TensorPrimitives.Exp(_x, _y);

    [Benchmark(Description = "TensorPrimitives.Tanh")]
    public void Tanh() => TensorPrimitives.Tanh(_x, _y);
}
