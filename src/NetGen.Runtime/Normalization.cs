using System;
#if NET8_0_OR_GREATER
using System.Numerics.Tensors;
#endif

namespace NetGen.Runtime;

/// <summary>
/// Normalization layers. Statistics are accumulated in double: a float32 sum of squares
/// loses digits to cancellation exactly where a norm matters (large mean, small spread).
/// Empty affine spans mean "not affine" (weight 1, bias 0).
/// </summary>
public static class Normalization
{
    /// <summary><c>y = (x - mean(x)) / √(var(x) + eps) ⊙ weight + bias</c>, biased variance (<c>nn.LayerNorm</c>).</summary>
    public static void LayerNorm(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, double epsilon)
    {
        int n = x.Length;
        Guard.Length(y.Length, n, nameof(y));
        CheckAffine(weight, n, nameof(weight));
        CheckAffine(bias, n, nameof(bias));

        LayerNormRow(x, y, weight, bias, epsilon, out _);
    }

    /// <summary>One row of <see cref="LayerNorm"/>, its arguments checked; returns <c>1/√(var + eps)</c> and gives the mean (what training records).</summary>
    internal static double LayerNormRow(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, double epsilon, out double mean)
    {
        int n = x.Length;
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += x[i];
        }

        mean = sum / n;
        double squares = 0;
        for (int i = 0; i < n; i++)
        {
            double d = x[i] - mean;
            squares += d * d;
        }

        double inverseStd = 1.0 / Math.Sqrt((squares / n) + epsilon);
        for (int i = 0; i < n; i++)
        {
            double v = (x[i] - mean) * inverseStd;
            if (!weight.IsEmpty)
            {
                v *= weight[i];
            }

            if (!bias.IsEmpty)
            {
                v += bias[i];
            }

            y[i] = (float)v;
        }

        return inverseStd;
    }

    /// <summary><c>y = x / √(mean(x²) + eps) ⊙ weight</c> (<c>nn.RMSNorm</c>).</summary>
    public static void RmsNorm(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> weight, double epsilon)
    {
        int n = x.Length;
        Guard.Length(y.Length, n, nameof(y));
        CheckAffine(weight, n, nameof(weight));

        RmsNormRow(x, y, weight, epsilon);
    }

    /// <summary>One row of <see cref="RmsNorm"/>, its arguments checked; returns <c>1/√(mean(x²) + eps)</c> (what training records).</summary>
    internal static double RmsNormRow(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> weight, double epsilon)
    {
        int n = x.Length;
        double squares = 0;
        for (int i = 0; i < n; i++)
        {
            squares += (double)x[i] * x[i];
        }

        double inverseRms = 1.0 / Math.Sqrt((squares / n) + epsilon);
        for (int i = 0; i < n; i++)
        {
            double v = x[i] * inverseRms;
            y[i] = (float)(weight.IsEmpty ? v : v * weight[i]);
        }

        return inverseRms;
    }

    /// <summary>
    /// Inference batch norm with its constants folded at build time into one scale and shift per
    /// feature: <c>y = x ⊙ scale + shift</c>, where <c>scale = weight / √(running_var + eps)</c>
    /// and <c>shift = bias − running_mean ⊙ scale</c>; one fused multiply-add per value.
    /// </summary>
    public static void BatchNorm(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift)
    {
        int n = x.Length;
        Guard.Length(y.Length, n, nameof(y));
        Guard.Length(scale.Length, n, nameof(scale));
        Guard.Length(shift.Length, n, nameof(shift));
        TensorPrimitives.FusedMultiplyAdd(x, scale, shift, y);
    }

    private static void CheckAffine(ReadOnlySpan<float> parameter, int n, string name)
    {
        if (!parameter.IsEmpty)
        {
            Guard.Length(parameter.Length, n, name);
        }
    }
}
