using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using NetGen.Runtime;

namespace NetGen.Benchmarks;

/// <summary>
/// One layer and its activation for one sample through <see cref="PackedLinear"/>'s
/// matrix-vector kernel: as two steps (the layer, then the activation over its whole output), as
/// kernel layers compute them in <c>Forward</c>, or with the activation applied to each panel of
/// outputs as the kernel stores it (its <see cref="Epilogue"/>), which skips the second pass
/// and the pre-activation's store: the most fusing into the kernel's stores could save. Shapes
/// from the benchmark networks (digits, N2, N3) and a short, wide layer where the activation's
/// cost dominates. The packed weights start on a cache-line boundary, so both read them alike.
/// </summary>
[MemoryDiagnoser]
public class FusionBenchmarks
{
    private float[] _weights = Array.Empty<float>();
    private int _offset;
    private int _length;
    private Epilogue _activation;
    private float[] _bias = Array.Empty<float>();
    private float[] _x = Array.Empty<float>();
    private float[] _z = Array.Empty<float>();
    private float[] _a = Array.Empty<float>();

    /// <summary>The layer, <c>columns → rows</c>, and the activation that follows it.</summary>
    [Params("64→32 relu", "784→128 relu", "40→300 gelu", "512→2048 gelu", "128→128 sigmoid", "128→128 tanh")]
    public string Layer { get; set; } = string.Empty;

    private ReadOnlySpan<float> Packed => _weights.AsSpan(_offset, _length);

    [GlobalSetup]
    public void Setup()
    {
        string[] sizes = Layer.Split(' ')[0].Split('→');
        int columns = int.Parse(sizes[0]), rows = int.Parse(sizes[1]);
        var random = new Random(3);
        float[] weight = new float[rows * columns];
        for (int i = 0; i < weight.Length; i++)
        {
            weight[i] = (float)((random.NextDouble() - 0.5) * 2 / Math.Sqrt(columns));
        }

        // Pinned, so that the panels stay where the offset puts them: on a 64-byte boundary.
        _length = PackedLinear.PackedLength(rows, columns);
        _weights = GC.AllocateArray<float>(_length + 16, pinned: true);
        nint start = Unsafe.ByteOffset(ref Unsafe.NullRef<float>(), ref MemoryMarshal.GetArrayDataReference(_weights));
        _offset = (int)((64 - (start % 64)) % 64) / sizeof(float);

        PackedLinear.Pack(weight, rows, columns, _weights.AsSpan(_offset, _length));
        _activation = Layer.Split(' ')[1] switch
        {
            "relu" => Epilogue.Relu,
            "gelu" => Epilogue.Gelu,
            "sigmoid" => Epilogue.Sigmoid,
            _ => Epilogue.Tanh,
        };
        _bias = new float[rows];
        _x = new float[columns];
        for (int i = 0; i < columns; i++)
        {
            _x[i] = (float)((random.NextDouble() * 6) - 3);
        }

        _z = new float[rows];
        _a = new float[rows];
    }

    [Benchmark(Baseline = true, Description = "layer, then activation")]
    public void TwoSteps()
    {
        PackedLinear.Forward(Packed, _bias, _x, _z);
        switch (_activation)
        {
            case Epilogue.Relu:
                Activations.Relu(_z, _a);
                break;
            case Epilogue.Gelu:
                Activations.Gelu(_z, _a);
                break;
            case Epilogue.Sigmoid:
                Activations.Sigmoid(_z, _a);
                break;
            default:
                Activations.Tanh(_z, _a);
                break;
        }
    }

    [Benchmark(Description = "activation in the stores")]
    public void Fused() => PackedLinear.Forward(Packed, _bias, _x, _a, _activation);
}
