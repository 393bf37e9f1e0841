#if !NET8_0_OR_GREATER
using System;

namespace NetGen.Runtime;

/// <summary>
/// The <c>System.Numerics.Tensors.TensorPrimitives</c> operations the runtime calls, for the
/// netstandard2.1 build (Unity): element by element, so that build depends on no package that
/// needs <c>System.Memory</c>, which Unity's and Mono's profiles do not all have. As with
/// <see cref="Vector"/>, a type of the runtime's own namespace comes before an imported one.
/// </summary>
internal static class TensorPrimitives
{
    /// <summary><c>y_i = max(x_i, value)</c> for a <paramref name="value"/> that is not −0: NaN stays NaN, and <c>max(−0, +0)</c> is +0, as the package computes it.</summary>
    public static void Max(ReadOnlySpan<float> x, float value, Span<float> y)
    {
        Guard.Length(y.Length, x.Length, nameof(y));
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            y[i] = float.IsNaN(v) || v > value ? v : value;
        }
    }

    /// <summary><c>y_i = a_i + b_i</c>.</summary>
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        Guard.Length(b.Length, a.Length, nameof(b));
        Guard.Length(y.Length, a.Length, nameof(y));
        for (int i = 0; i < a.Length; i++)
        {
            y[i] = a[i] + b[i];
        }
    }

    /// <summary><c>y_i = x_i − value</c>.</summary>
    public static void Subtract(ReadOnlySpan<float> x, float value, Span<float> y)
    {
        Guard.Length(y.Length, x.Length, nameof(y));
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = x[i] - value;
        }
    }

    /// <summary><c>y_i = a_i · b_i</c>.</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        Guard.Length(b.Length, a.Length, nameof(b));
        Guard.Length(y.Length, a.Length, nameof(y));
        for (int i = 0; i < a.Length; i++)
        {
            y[i] = a[i] * b[i];
        }
    }

    /// <summary><c>y_i = x_i / value</c>.</summary>
    public static void Divide(ReadOnlySpan<float> x, float value, Span<float> y)
    {
        Guard.Length(y.Length, x.Length, nameof(y));
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = x[i] / value;
        }
    }

    /// <summary>
    /// <c>y_i = x_i · a_i + b_i</c> rounded once: netstandard2.1 has no fused multiply-add, but
    /// a product of two floats is exact in double, so the double sum rounded to float differs
    /// from the fused result only where that second rounding does.
    /// </summary>
    public static void FusedMultiplyAdd(ReadOnlySpan<float> x, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        Guard.Length(a.Length, x.Length, nameof(a));
        Guard.Length(b.Length, x.Length, nameof(b));
        Guard.Length(y.Length, x.Length, nameof(y));
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = (float)(((double)x[i] * a[i]) + b[i]);
        }
    }

    /// <summary><c>y_i = 1/(1 + e^(−x_i))</c>, with the runtime's own sigmoid.</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y) => Activations.Sigmoid(x, y);
}
#endif
