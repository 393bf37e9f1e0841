using System;
using System.Numerics.Tensors;

namespace NetGen.Runtime;

/// <summary>
/// Activation functions over whole vectors. Each writes <c>y</c> from
/// <c>x</c>; the two may be the same span (except for <see cref="LogSoftmax"/>), but must not partly overlap.
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

    /// <summary>Exact GELU, <c>y = x·Φ(x)</c> with the Gaussian CDF Φ.</summary>
    public static void Gelu(ReadOnlySpan<float> x, Span<float> y)
    {
        Guard.Length(y.Length, x.Length, nameof(y));
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = SpecialFunctions.Gelu(x[i]);
        }
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
    public static void LogSoftmax(ReadOnlySpan<float> x, Span<float> y)
    {
        Guard.Length(y.Length, x.Length, nameof(y));
        float max = TensorPrimitives.Max(x);

        // y holds the exponentials first; x is read again for the result, so y must not alias x.
        Guard.NoOverlap(x, y, nameof(x), nameof(y));
        TensorPrimitives.Subtract(x, max, y);
        TensorPrimitives.Exp(y, y);
        double sum = TensorPrimitives.Sum(y);
        float shift = (float)(max + Math.Log(sum));
        TensorPrimitives.Subtract(x, shift, y);
    }
}
