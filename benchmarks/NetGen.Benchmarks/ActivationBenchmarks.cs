using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using NetGen.Runtime;

namespace NetGen.Benchmarks;

/// <summary>
/// The activations the runtime computes in registers, over 32,768 values (N3's hidden layer at
/// batch 16) uniform in [-4, 4]: the one-pass span forms and the one-value overloads (what
/// unrolled layers call), against what they replace or what a hand-written loop computes: scalar
/// float64 GELUs, <see cref="TensorPrimitives"/>' sigmoid and tanh (the runtime's span forms
/// until they moved into registers), <see cref="MathF"/> one value at a time, and
/// <see cref="TensorPrimitives.Exp(ReadOnlySpan{float}, Span{float})"/> as a library's cost for
/// one transcendental function.
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

    [Benchmark(Description = "sigmoid, NetGen")]
    public void Sigmoid() => Activations.Sigmoid(_x, _y);

    [Benchmark(Description = "sigmoid, NetGen, one value per call")]
    public void SigmoidPerValue()
    {
        for (int i = 0; i < Count; i++)
        {
            _y[i] = Activations.Sigmoid(_x[i]);
        }
    }

    [Benchmark(Description = "sigmoid, TensorPrimitives.Sigmoid")]
    public void SigmoidLibrary() => TensorPrimitives.Sigmoid(_x, _y);

    [Benchmark(Description = "sigmoid, MathF.Exp one value per call")]
    public void SigmoidScalar()
    {
        for (int i = 0; i < Count; i++)
        {
            _y[i] = SpecialFunctions.Sigmoid(_x[i]);
        }
    }

    [Benchmark(Description = "SiLU, NetGen")]
    public void Silu() => Activations.Silu(_x, _y);

    [Benchmark(Description = "SiLU, TensorPrimitives.Sigmoid then Multiply")]
    public void SiluLibrary()
    {
        TensorPrimitives.Sigmoid(_x, _y);
        TensorPrimitives.Multiply(_x, _y, _y);
    }

    [Benchmark(Description = "tanh, NetGen")]
    public void Tanh() => Activations.Tanh(_x, _y);

    [Benchmark(Description = "tanh, NetGen, one value per call")]
    public void TanhPerValue()
    {
        for (int i = 0; i < Count; i++)
        {
            _y[i] = Activations.Tanh(_x[i]);
        }
    }

    [Benchmark(Description = "tanh, TensorPrimitives.Tanh")]
    public void TanhLibrary() => TensorPrimitives.Tanh(_x, _y);

    [Benchmark(Description = "tanh, MathF.Tanh one value per call")]
    public void TanhScalar()
    {
        for (int i = 0; i < Count; i++)
        {
            _y[i] = MathF.Tanh(_x[i]);
        }
    }

    [Benchmark(Description = "TensorPrimitives.Exp")]
    public void Exp() => TensorPrimitives.Exp(_x, _y);
}
