using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetGen.Runtime;

/// <summary>
/// Activation functions over whole vectors. Each writes <c>y</c> from
/// <c>x</c>; the two may be the same span, but must not partly overlap.
/// </summary>
/// <remarks>
/// The GELUs, sigmoid, SiLU and tanh are NetGen's own: a few float32 ulps from the exact
/// function, in registers, and with the same bits for an element at any position and in the
/// one-value overloads that unrolled layers call, so that layers can fuse them into their stores
/// and every strategy agrees (see <c>VectorFunctions</c> for why no library does this). ReLU
/// and the softmaxes use <see cref="TensorPrimitives"/>, which vectorizes with the widest
/// instructions the CPU has.
/// </remarks>
public static class Activations
{
    /// <summary><c>y = max(0, x)</c>.</summary>
    public static void Relu(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

    /// <summary><c>y = x ≥ 0 ? x : alpha·x</c>.</summary>
    public static void LeakyRelu(ReadOnlySpan<float> x, Span<float> y, float alpha)
    {
        Guard.Length(y.Length, x.Length, nameof(y));
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            y[i] = v >= 0 ? v : alpha * v;
        }
    }

    /// <summary>Exact GELU, <c>y = x·Φ(x) = ½x·erfc(−x/√2)</c> with the Gaussian CDF Φ.</summary>
    /// <remarks>
    /// One pass, in registers, within a few float32 ulps of the double formula. Every element is
    /// computed with the same float32 operations whatever its position or the vector width (see
    /// <c>VectorFunctions</c>), so a slice of a tensor gives the bits of the whole: layers apply it
    /// panel by panel as they store their outputs.
    /// </remarks>
    public static void Gelu(ReadOnlySpan<float> x, Span<float> y) => Map<VectorFunctions.Gelu>(x, y);

    /// <summary>GELU with the tanh approximation, <c>y = ½x(1 + tanh(√(2/π)(x + 0.044715x³)))</c>.</summary>
    /// <remarks>As <see cref="Gelu(ReadOnlySpan{float}, Span{float})"/>: one pass in registers, the same bits for an element wherever it is.</remarks>
    public static void GeluTanh(ReadOnlySpan<float> x, Span<float> y) => Map<VectorFunctions.GeluTanh>(x, y);

    /// <summary>Exact GELU of one value: the bits <see cref="Gelu(ReadOnlySpan{float}, Span{float})"/> gives it at any position.</summary>
    /// <remarks>
    /// What unrolled layers call: 8.7 ns per value where <see cref="SpecialFunctions.Gelu"/>'s
    /// float64 form takes 12.5 (<c>ActivationBenchmarks</c>), and the other strategies' bits.
    /// </remarks>
    public static float Gelu(float x) => VectorFunctions.Gelu.Invoke(x);

    /// <summary>GELU's tanh form of one value: the bits <see cref="GeluTanh(ReadOnlySpan{float}, Span{float})"/> gives it at any position.</summary>
    /// <remarks>What unrolled layers call: 5.2 ns per value where <see cref="SpecialFunctions.GeluTanh"/>'s float64 form takes 22.</remarks>
    public static float GeluTanh(float x) => VectorFunctions.GeluTanh.Invoke(x);

    /// <summary><c>y_i = f(x_i)</c>: Vector512 where accelerated, then <see cref="Vector{T}"/>, then one element at a time.</summary>
    private static void Map<TFunction>(ReadOnlySpan<float> x, Span<float> y)
        where TFunction : struct, IVectorFunction
    {
        Guard.Length(y.Length, x.Length, nameof(y));
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        int n = x.Length;
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                TFunction.Invoke(Vector512.LoadUnsafe(ref rx, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
            }
        }

        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                TFunction.Invoke(Vector.LoadUnsafe(ref rx, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref ry, i) = TFunction.Invoke(Unsafe.Add(ref rx, i));
        }
    }

    /// <summary><c>y = 1/(1+e^(-x))</c>.</summary>
    /// <remarks>One pass in registers, the same bits for an element wherever it is; no overflow for any input.</remarks>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y) => Map<VectorFunctions.Sigmoid>(x, y);

    /// <summary><c>y = x·sigmoid(x)</c> (SiLU, also called swish).</summary>
    /// <remarks>One pass in registers, the same bits for an element wherever it is.</remarks>
    public static void Silu(ReadOnlySpan<float> x, Span<float> y) => Map<VectorFunctions.Silu>(x, y);

    /// <summary><c>y = tanh(x)</c>.</summary>
    /// <remarks>One pass in registers, the same bits for an element wherever it is; accurate relative to the result near 0.</remarks>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y) => Map<VectorFunctions.Tanh>(x, y);

    /// <summary>The sigmoid of one value: the bits <see cref="Sigmoid(ReadOnlySpan{float}, Span{float})"/> gives it at any position.</summary>
    public static float Sigmoid(float x) => VectorFunctions.Sigmoid.Invoke(x);

    /// <summary>SiLU of one value: the bits <see cref="Silu(ReadOnlySpan{float}, Span{float})"/> gives it at any position.</summary>
    public static float Silu(float x) => VectorFunctions.Silu.Invoke(x);

    /// <summary>tanh of one value: the bits <see cref="Tanh(ReadOnlySpan{float}, Span{float})"/> gives it at any position.</summary>
    public static float Tanh(float x) => VectorFunctions.Tanh.Invoke(x);

    /// <summary>
    /// <c>y_i = e^(x_i - max x) / Σ_j e^(x_j - max x)</c>: subtracting the maximum keeps every
    /// exponent at most 0, so inputs such as 1e9 and -1e9 give [1, 0], never NaN.
    /// </summary>
    public static void Softmax(ReadOnlySpan<float> x, Span<float> y)
    {
        Guard.Length(y.Length, x.Length, nameof(y));
        float max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, y);
        TensorPrimitives.Exp(y, y);
        float sum = TensorPrimitives.Sum(y);
        TensorPrimitives.Divide(y, sum, y);
    }

    /// <summary><c>y_i = x_i - max x - log Σ_j e^(x_j - max x)</c>.</summary>
    /// <remarks>
    /// The two subtractions stay apart: <c>x_i − (max + log Σ)</c> would round the sum to the
    /// precision of <c>max</c>, which for inputs near 1e4 costs about 2e-4 (ONNX's
    /// <c>test_logsoftmax_large_number</c> shows it). The exponentials go through a block on the
    /// stack, so <c>y</c> may be <c>x</c>.
    /// </remarks>
    public static void LogSoftmax(ReadOnlySpan<float> x, Span<float> y)
    {
        Guard.Length(y.Length, x.Length, nameof(y));
        float max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, y);

        const int Block = 256;
        Span<float> e = stackalloc float[Block];
        double sum = 0;
        for (int start = 0; start < y.Length; start += Block)
        {
            int n = Math.Min(Block, y.Length - start);
            TensorPrimitives.Exp(y.Slice(start, n), e.Slice(0, n));
            sum += TensorPrimitives.Sum<float>(e.Slice(0, n));
        }

        TensorPrimitives.Subtract(y, (float)Math.Log(sum), y);
    }
}
