using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetGen.Runtime;

/// <summary>
/// Activation functions over whole vectors. Each writes <c>y</c> from
/// <c>x</c>; the two may be the same span, but must not partly overlap.
/// </summary>
/// <remarks>
/// The element-wise ones use <see cref="TensorPrimitives"/>, which vectorizes with the widest
/// instructions the CPU has and is accurate to a few float32 ulps.
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
    /// Vectorized form of <see cref="SpecialFunctions.Erfc"/>'s fit: with <c>a = |x|/√2</c> and
    /// <c>t = 1/(1 + a/2)</c>, <c>erfc(±a) = t·e^(−a² + P(t))</c> or two minus it. The polynomial
    /// runs in float vectors and the exponential in <see cref="TensorPrimitives.Exp(ReadOnlySpan{float}, Span{float})"/>,
    /// in blocks of 256 on the stack; the result is within a few float32 ulps of the double formula.
    /// </remarks>
    public static void Gelu(ReadOnlySpan<float> x, Span<float> y)
    {
        Guard.Length(y.Length, x.Length, nameof(y));
        const int Block = 256;
        Span<float> t = stackalloc float[Block];
        Span<float> e = stackalloc float[Block];
        for (int start = 0; start < x.Length; start += Block)
        {
            int n = Math.Min(Block, x.Length - start);
            ReadOnlySpan<float> xs = x.Slice(start, n);
            Span<float> ys = y.Slice(start, n);
            int i = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                // Vector<T> stays 256 bits wide on AVX-512 machines unless configured otherwise;
                // the same operations 16 lanes at a time take 30% less time.
                ref float rx = ref MemoryMarshal.GetReference(xs);
                for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                {
                    var a = Vector512.Abs(Vector512.LoadUnsafe(ref rx, (nuint)i)) * InvSqrt2;
                    var ti = Vector512<float>.One / (Vector512<float>.One + (a * 0.5f));
                    ti.CopyTo(t.Slice(i));
                    (ErfcPolynomial(ti) - (a * a)).CopyTo(e.Slice(i));
                }
            }

            if (Vector.IsHardwareAccelerated)
            {
                for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
                {
                    var a = Vector.Abs(new Vector<float>(xs.Slice(i))) * InvSqrt2;
                    var ti = Vector<float>.One / (Vector<float>.One + (a * 0.5f));
                    ti.CopyTo(t.Slice(i));
                    (ErfcPolynomial(ti) - (a * a)).CopyTo(e.Slice(i));
                }
            }

            for (; i < n; i++)
            {
                float a = MathF.Abs(xs[i]) * InvSqrt2;
                float ti = 1f / (1f + (a * 0.5f));
                t[i] = ti;
                e[i] = ErfcPolynomial(new Vector<float>(ti))[0] - (a * a);
            }

            TensorPrimitives.Exp(e.Slice(0, n), e.Slice(0, n));

            // erfc(−x/√2) is r for x ≤ 0 and 2 − r for x > 0: a select, not a branch, since the
            // sign of activations is as good as random. The same float operations in every lane
            // and in the tail, so a value's result does not depend on its position.
            i = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                {
                    var r = Vector512.Create(t.Slice(i, Vector512<float>.Count)) * Vector512.Create(e.Slice(i, Vector512<float>.Count));
                    var v = Vector512.Create(xs.Slice(i, Vector512<float>.Count));
                    var erfc = Vector512.ConditionalSelect(Vector512.GreaterThan(v, Vector512<float>.Zero), Vector512.Create(2f) - r, r);
                    (Vector512.Create(0.5f) * v * erfc).CopyTo(ys.Slice(i));
                }
            }

            if (Vector.IsHardwareAccelerated)
            {
                for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
                {
                    var r = new Vector<float>(t.Slice(i)) * new Vector<float>(e.Slice(i));
                    var v = new Vector<float>(xs.Slice(i));
                    var erfc = Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<float>.Zero), new Vector<float>(2f) - r, r);
                    (new Vector<float>(0.5f) * v * erfc).CopyTo(ys.Slice(i));
                }
            }

            for (; i < n; i++)
            {
                float r = t[i] * e[i];
                float v = xs[i];
                ys[i] = 0.5f * v * (v > 0 ? 2f - r : r);
            }
        }
    }

    private const float InvSqrt2 = 0.707106781f;

    /// <summary>The exponent's polynomial of the Numerical Recipes erfc fit, 16 lanes at a time (the same operations as below).</summary>
    private static Vector512<float> ErfcPolynomial(Vector512<float> t)
    {
        var p = Vector512.Create(0.17087277f);
        p = (p * t) + Vector512.Create(-0.82215223f);
        p = (p * t) + Vector512.Create(1.48851587f);
        p = (p * t) + Vector512.Create(-1.13520398f);
        p = (p * t) + Vector512.Create(0.27886807f);
        p = (p * t) + Vector512.Create(-0.18628806f);
        p = (p * t) + Vector512.Create(0.09678418f);
        p = (p * t) + Vector512.Create(0.37409196f);
        p = (p * t) + Vector512.Create(1.00002368f);
        return (p * t) + Vector512.Create(-1.26551223f);
    }

    /// <summary>The exponent's polynomial of the Numerical Recipes erfc fit, <c>−1.26551223 + t(1.00002368 + ...)</c>.</summary>
    private static Vector<float> ErfcPolynomial(Vector<float> t)
    {
        var p = new Vector<float>(0.17087277f);
        p = (p * t) + new Vector<float>(-0.82215223f);
        p = (p * t) + new Vector<float>(1.48851587f);
        p = (p * t) + new Vector<float>(-1.13520398f);
        p = (p * t) + new Vector<float>(0.27886807f);
        p = (p * t) + new Vector<float>(-0.18628806f);
        p = (p * t) + new Vector<float>(0.09678418f);
        p = (p * t) + new Vector<float>(0.37409196f);
        p = (p * t) + new Vector<float>(1.00002368f);
        return (p * t) + new Vector<float>(-1.26551223f);
    }

    /// <summary>GELU with the tanh approximation.</summary>
    public static void GeluTanh(ReadOnlySpan<float> x, Span<float> y)
    {
        Guard.Length(y.Length, x.Length, nameof(y));
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = SpecialFunctions.GeluTanh(x[i]);
        }
    }

    /// <summary><c>y = 1/(1+e^(-x))</c>.</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Sigmoid(x, y);

    /// <summary><c>y = x·sigmoid(x)</c> (SiLU, also called swish).</summary>
    public static void Silu(ReadOnlySpan<float> x, Span<float> y)
    {
        TensorPrimitives.Sigmoid(x, y);
        TensorPrimitives.Multiply(x, y, y);
    }

    /// <summary><c>y = tanh(x)</c>.</summary>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Tanh(x, y);

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
