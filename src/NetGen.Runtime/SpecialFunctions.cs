using System;
using System.Runtime.CompilerServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
#endif

namespace NetGen.Runtime;

/// <summary>Scalar functions the activations need and <see cref="Math"/> lacks.</summary>
public static class SpecialFunctions
{
    private const double InvSqrt2 = 0.70710678118654752440;
    private const double SqrtTwoOverPi = 0.79788456080286535588;

    /// <summary><c>(double)x</c>: how unrolled layers widen an input before they sum in double.</summary>
    /// <remarks>
    /// The same value as the cast, through a conversion that writes the whole vector register
    /// where vectors are accelerated. The scalar conversion (<c>vcvtss2sd</c>) keeps the
    /// register's upper lanes, and RyuJIT encodes it so that they come from the destination
    /// itself, which makes each conversion wait for whatever last wrote that register: in a tiny
    /// network that chains one call's first layer to the previous call's last result, and a loop
    /// of calls runs one at a time (N1: 33 ns a call, against 12 ns with this form).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Widen(float x) =>
#if NET8_0_OR_GREATER
        Vector128.IsHardwareAccelerated ? Vector128.WidenLower(Vector128.CreateScalarUnsafe(x)).ToScalar() : x;
#else
        x;
#endif

    /// <summary><c>(float)x</c>, the one rounding of an unrolled layer's sum, without the scalar conversion's false dependency (see <see cref="Widen"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Narrow(double x) =>
#if NET8_0_OR_GREATER
        Vector128.IsHardwareAccelerated ? Vector128.Narrow(Vector128.CreateScalarUnsafe(x), Vector128<double>.Zero).ToScalar() : (float)x;
#else
        (float)x;
#endif

    /// <summary>
    /// The complementary error function, <c>erfc(x) = 1 - erf(x)</c>, with a relative error
    /// below 1.2e-7 everywhere (Chebyshev fit from Numerical Recipes, 2nd ed., §6.2),
    /// which is below float32's own rounding.
    /// </summary>
    /// <remarks>
    /// .NET has no erf. This fit is kept rather than a library because it is ten lines,
    /// accurate to float precision over the whole line, and has no dependency. Computing
    /// erfc rather than erf keeps GELU's <c>1 + erf(x/√2)</c> accurate for large negative x,
    /// where that sum would cancel.
    /// </remarks>
    public static double Erfc(double x)
    {
        double z = Math.Abs(x);
        double t = 1.0 / (1.0 + (0.5 * z));
        double r = t * Math.Exp(-(z * z) - 1.26551223 + (t * (1.00002368 + (t * (0.37409196 + (t * (0.09678418
            + (t * (-0.18628806 + (t * (0.27886807 + (t * (-1.13520398 + (t * (1.48851587
            + (t * (-0.82215223 + (t * 0.17087277))))))))))))))))));
        return x >= 0 ? r : 2.0 - r;
    }

    /// <summary>Exact GELU, <c>x·Φ(x) = x·½·erfc(-x/√2)</c>, as <c>torch.nn.functional.gelu(x)</c>.</summary>
    public static float Gelu(float x) => (float)(x * 0.5 * Erfc(-x * InvSqrt2));

    /// <summary>GELU's tanh form, <c>½x(1 + tanh(√(2/π)(x + 0.044715x³)))</c>, as <c>gelu(x, approximate="tanh")</c>.</summary>
    public static float GeluTanh(float x)
    {
        double d = x;
        return (float)(0.5 * d * (1.0 + Math.Tanh(SqrtTwoOverPi * (d + (0.044715 * d * d * d)))));
    }

    /// <summary><c>max(0, x)</c>, as <c>torch.relu</c> (NaN stays NaN).</summary>
    public static float Relu(float x) => x > 0f ? x : (float.IsNaN(x) ? x : 0f);

    /// <summary><c>x ≥ 0 ? x : alpha·x</c>.</summary>
    public static float LeakyRelu(float x, float alpha) => x >= 0f ? x : alpha * x;

    /// <summary>SiLU, <c>x·sigmoid(x)</c>.</summary>
    /// <remarks>What unrolled layers call: see <see cref="Sigmoid"/>.</remarks>
    public static float Silu(float x) => x * Sigmoid(x);

    /// <summary>The logistic sigmoid, <c>1/(1+e^(-x))</c>, without overflow for large |x|.</summary>
    /// <remarks>
    /// What unrolled layers call. Through <see cref="MathF.Exp"/> its chain of dependent steps is
    /// shorter than that of <see cref="Activations.Sigmoid(float)"/> (<c>ActivationBenchmarks</c>),
    /// which is what a tiny network waits on; the two agree within a few ulps, not bit for bit.
    /// </remarks>
    public static float Sigmoid(float x)
    {
        if (x >= 0)
        {
            return 1f / (1f + MathF.Exp(-x));
        }

        float e = MathF.Exp(x);
        return e / (1f + e);
    }

    /// <summary>SELU's α, as <c>torch.nn.SELU</c> and ONNX <c>Selu</c> define it (1.6732632423543772848170429916717).</summary>
    public const float SeluAlpha = 1.67326319f;

    /// <summary>SELU's λ (ONNX's γ), 1.0507009873554804934193349852946.</summary>
    public const float SeluScale = 1.05070102f;

    /// <summary>ELU, <c>x &gt; 0 ? x : α(eˣ − 1)</c>, as <c>torch.nn.functional.elu</c>.</summary>
    public static float Elu(float x, float alpha) => ExponentialLinear(x, alpha, 1f);

    /// <summary>SELU, <c>λ(x &gt; 0 ? x : α(eˣ − 1))</c> with the fixed <see cref="SeluAlpha"/> and <see cref="SeluScale"/>.</summary>
    public static float Selu(float x) => ExponentialLinear(x, SeluAlpha, SeluScale);

    /// <summary>ELU's form with a scale, the float operations <c>Activations.Elu</c> and <c>Selu</c> use in every lane.</summary>
    internal static float ExponentialLinear(float x, float alpha, float scale)
    {
        float negative = alpha * (VectorFunctions.Exp(x < 0f ? x : 0f) - 1f);
        return float.IsNaN(x) ? x : (x > 0f ? x : negative) * scale;
    }

    /// <summary>
    /// Softplus, <c>βx &gt; threshold ? x : log(1 + e^(βx)) / β</c>, as <c>torch.nn.functional.softplus</c>
    /// (ONNX <c>Softplus</c> is β = 1 with no threshold; beyond 20 the two differ by less than e⁻²⁰).
    /// </summary>
    public static float Softplus(float x, float beta, float threshold)
    {
        double z = (double)beta * x;
        return z > threshold || float.IsNaN(x) ? x : (float)(SoftplusOf(z) / beta);
    }

    /// <summary>Mish, <c>x·tanh(softplus(x))</c>, as <c>torch.nn.functional.mish</c> (softplus with threshold 20).</summary>
    public static float Mish(float x)
    {
        double d = x;
        return float.IsNaN(x) ? x : (float)(d * Math.Tanh(d > 20.0 ? d : SoftplusOf(d)));
    }

    /// <summary><c>max(0, min(1, αx + β))</c>, as ONNX <c>HardSigmoid</c>; NaN stays NaN.</summary>
    public static float HardSigmoid(float x, float alpha, float beta) => Clip((x * alpha) + beta, 0f, 1f);

    /// <summary><c>x·min(max(x + 3, 0), 6) / 6</c>, as <c>torch.nn.functional.hardswish</c>; NaN stays NaN.</summary>
    public static float HardSwish(float x) => (x * Clip(x + 3f, 0f, 6f)) / 6f;

    /// <summary><c>min(max(x, min), max)</c>, as <c>torch.clamp</c>: NaN stays NaN, and <paramref name="max"/> wins where the bounds cross.</summary>
    public static float Clip(float x, float min, float max)
    {
        float m = x < min ? min : x;
        return m > max ? max : m;
    }

    /// <summary><c>log(1 + eᶻ)</c> in double, without overflow: <c>max(z, 0) + log(1 + e^(−|z|))</c>.</summary>
    internal static double SoftplusOf(double z)
    {
        double e = Math.Exp(-Math.Abs(z));
        double log1p = e < 1e-5 ? e * (1.0 - (0.5 * e)) : Math.Log(1.0 + e);
        return Math.Max(z, 0.0) + log1p;
    }
}
