using System;
using System.Numerics;
#if NET8_0_OR_GREATER
using System.Numerics.Tensors;
#endif
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
#endif

namespace NetGen.Runtime;

/// <summary>
/// Activation functions over whole vectors. Each writes <c>y</c> from
/// <c>x</c>; the two may be the same span, but must not partly overlap.
/// </summary>
/// <remarks>
/// The GELUs, sigmoid, SiLU and tanh are NetGen's own: a few float32 ulps from the exact
/// function, in registers, and with the same bits for an element at any position and in the
/// one-value overloads, so that layers can fuse them into their stores (see
/// <c>VectorFunctions</c> for why no library does this). The
/// softmaxes compute their maximum and their sum of exponentials in registers with the same
/// exponential: short rows (a classifier's 10 outputs) are bound by per-call overhead, which a
/// chain of span calls multiplies. ReLU and the softmaxes' final division or subtraction use
/// <see cref="TensorPrimitives"/>.
/// </remarks>
public static partial class Activations
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
    /// What unrolled layers call: faster than <see cref="SpecialFunctions.Gelu"/>'s float64 form
    /// (<c>ActivationBenchmarks</c>), and the other strategies' bits.
    /// </remarks>
    public static float Gelu(float x) => VectorFunctions.Gelu.Invoke(x);

    /// <summary>GELU's tanh form of one value: the bits <see cref="GeluTanh(ReadOnlySpan{float}, Span{float})"/> gives it at any position.</summary>
    /// <remarks>What unrolled layers call: faster than <see cref="SpecialFunctions.GeluTanh"/>'s float64 form (<c>ActivationBenchmarks</c>), and the other strategies' bits.</remarks>
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
#if NET8_0_OR_GREATER
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
#else
        TFunction f = default;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                f.Apply(Vector.LoadUnsafe(ref rx, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref ry, i) = f.Apply(Unsafe.Add(ref rx, i));
        }
#endif
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
    /// <remarks>
    /// The maximum, then the exponentials (stored) and their sum (in double), in registers; then
    /// one division per element: for the small vectors of class scores, a chain of
    /// <see cref="TensorPrimitives"/> calls would cost more in call overhead than in arithmetic.
    /// </remarks>
    public static void Softmax(ReadOnlySpan<float> x, Span<float> y)
    {
        Guard.Length(y.Length, x.Length, nameof(y));
        if (x.IsEmpty)
        {
            return;
        }

        float max = Max(x);
        float sum = (float)ShiftedExponentials(x, max, y);
        TensorPrimitives.Divide(y, sum, y);
    }

    /// <summary><c>y_i = x_i - max x - log Σ_j e^(x_j - max x)</c>.</summary>
    /// <remarks>
    /// The two subtractions stay apart: <c>x_i − (max + log Σ)</c> would round the sum to the
    /// precision of <c>max</c>, which for inputs near 1e4 costs about 2e-4 (ONNX's
    /// <c>test_logsoftmax_large_number</c> shows it). The exponentials are summed in registers
    /// (in double) and never stored, so <c>y</c> may be <c>x</c>.
    /// </remarks>
    public static void LogSoftmax(ReadOnlySpan<float> x, Span<float> y)
    {
        Guard.Length(y.Length, x.Length, nameof(y));
        if (x.IsEmpty)
        {
            return;
        }

        float max = Max(x);
        float log = (float)Math.Log(ShiftedExponentials(x, max, default));
        TensorPrimitives.Subtract(x, max, y);
        TensorPrimitives.Subtract(y, log, y);
    }

    /// <summary>
    /// The largest element of a non-empty span. A NaN element may or may not come out as the
    /// maximum (vector and scalar maxima treat it differently), but its own exponential is NaN,
    /// and so are the sum and every output.
    /// </summary>
    private static float Max(ReadOnlySpan<float> x)
    {
        ref float rx = ref MemoryMarshal.GetReference(x);
        int n = x.Length;
        int i = 0;
        float max = float.NegativeInfinity;
#if NET8_0_OR_GREATER
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            var m = Vector512.LoadUnsafe(ref rx);
            for (i = Vector512<float>.Count; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                m = Vector512.Max(m, Vector512.LoadUnsafe(ref rx, (nuint)i));
            }

            var half = Vector256.Max(m.GetLower(), m.GetUpper());
            var quarter = Vector128.Max(half.GetLower(), half.GetUpper());
            max = Math.Max(Math.Max(quarter.GetElement(0), quarter.GetElement(1)), Math.Max(quarter.GetElement(2), quarter.GetElement(3)));
        }
#endif

        if (Vector.IsHardwareAccelerated && n - i >= Vector<float>.Count)
        {
            var m = new Vector<float>(max);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                m = Vector.Max(m, Vector.LoadUnsafe(ref rx, (nuint)i));
            }

            for (int l = 0; l < Vector<float>.Count; l++)
            {
                max = Math.Max(max, m[l]);
            }
        }

        for (; i < n; i++)
        {
            max = Math.Max(max, Unsafe.Add(ref rx, i));
        }

        return max;
    }

    /// <summary>
    /// <c>Σ_i e^(x_i − max)</c> in double, storing each <c>e^(x_i − max)</c> in <paramref name="y"/>
    /// unless it is empty. Every exponent is at most 0, so nothing overflows; an exponential
    /// below 2⁻¹²⁶ counts as 0, which moves the sum by less than float32 can show.
    /// </summary>
    private static double ShiftedExponentials(ReadOnlySpan<float> x, float max, Span<float> y)
    {
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        bool store = !y.IsEmpty;
        int n = x.Length;
        int i = 0;
        double sum = 0;
#if NET8_0_OR_GREATER
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            var low = Vector512<double>.Zero;
            var high = Vector512<double>.Zero;
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var e = VectorFunctions.Exp(Vector512.LoadUnsafe(ref rx, (nuint)i) - Vector512.Create(max));
                if (store)
                {
                    e.StoreUnsafe(ref ry, (nuint)i);
                }

                var (lo, hi) = Vector512.Widen(e);
                low += lo;
                high += hi;
            }

            sum = Vector512.Sum(low + high);
        }
#endif

        if (Vector.IsHardwareAccelerated && n - i >= Vector<float>.Count)
        {
            var low = Vector<double>.Zero;
            var high = Vector<double>.Zero;
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var e = VectorFunctions.Exp(Vector.LoadUnsafe(ref rx, (nuint)i) - new Vector<float>(max));
                if (store)
                {
                    e.StoreUnsafe(ref ry, (nuint)i);
                }

                Vector.Widen(e, out var lo, out var hi);
                low += lo;
                high += hi;
            }

            sum += Vector.Sum(low + high);
        }

        for (; i < n; i++)
        {
            float e = VectorFunctions.Exp(Unsafe.Add(ref rx, i) - max);
            if (store)
            {
                Unsafe.Add(ref ry, i) = e;
            }

            sum += e;
        }

        return sum;
    }
}
