using System;
using System.Numerics;
using System.Runtime.CompilerServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
#endif

namespace NetGen.Runtime;

/// <summary>
/// The activations that need an exponential (the GELUs, sigmoid, SiLU and tanh), evaluated in
/// registers: one <c>Vector512&lt;T&gt;</c>, one <see cref="Vector{T}"/> or one float at a time,
/// with the same float32 operations in every lane and in the scalar form.
/// </summary>
/// <remarks>
/// <para>
/// <b>Same bits everywhere.</b> Each form is the same sequence of correctly rounded float32
/// operations (multiplications and additions kept apart, never fused, and IEEE division), so a
/// value's result does not depend on the vector width, on its position in a tensor, or on
/// whether it falls in a loop's scalar tail. A NaN input is returned as it is: a NaN's sign
/// and payload would otherwise depend on which operand of a multiplication the JIT puts first,
/// which can change between tiers of the same method (CI caught a NaN whose sign differed). That is what lets a layer apply the activation to
/// each 16-output panel as it stores it (<see cref="Simd.StorePanel(ReadOnlySpan{double}, ReadOnlySpan{float}, Span{float}, Span{float}, int, Epilogue)"/>)
/// and still give the bits of the activation's step (<see cref="Activations.Gelu(ReadOnlySpan{float}, Span{float})"/> and the others) over the whole tensor, alone or in a batch.
/// </para>
/// <para>
/// <b>Why not a library's exponential.</b> <c>System.Numerics.Tensors.TensorPrimitives</c>
/// works on spans, not registers, and its scalar tails are computed differently from its vector
/// body; .NET 8 has no vector exponential. <see cref="Exp(float)"/> is the Cephes
/// <c>expf</c> (Cody–Waite reduction by ln 2, a degree-7 polynomial, the power of two put in
/// the exponent bits), about 1 ulp, for arguments up to 88; every function here passes it
/// arguments ≤ 0 (sigmoid <c>e^(−|v|)</c>, tanh <c>e^(−2|v|)</c>), so none can overflow.
/// Both polynomials run in Estrin's order, whose chains of dependent steps are shorter than
/// Horner's (7 against 18 for erfc's, 6 against 10 for the exponential's): latency, not the
/// number of operations, bounds these functions (<c>ActivationBenchmarks</c>; the numbers are in
/// <c>benchmarks/README.md</c>, <i>Activations</i>).
/// </para>
/// </remarks>
internal static class VectorFunctions
{
    private const float InvSqrt2 = 0.707106781f;
    private const float SqrtTwoOverPi = 0.797884561f;
    private const float GeluCubic = 0.044715f;

    // The erfc fit's coefficients (Numerical Recipes, 2nd ed., §6.2), as SpecialFunctions.Erfc has them.
    private const float C0 = -1.26551223f;
    private const float C1 = 1.00002368f;
    private const float C2 = 0.37409196f;
    private const float C3 = 0.09678418f;
    private const float C4 = -0.18628806f;
    private const float C5 = 0.27886807f;
    private const float C6 = -1.13520398f;
    private const float C7 = 1.48851587f;
    private const float C8 = -0.82215223f;
    private const float C9 = 0.17087277f;

    private const float Log2E = 1.44269504f;
    private const float Ln2High = 0.693359375f;
    private const float Ln2Low = -2.12194440e-4f;

    // Cephes expf's polynomial, e^r ≈ 1 + r + r²(E0 + E1·r + ... + E5·r⁵) for |r| ≤ ½ ln 2.
    private const float E0 = 5.0000001201E-1f;
    private const float E1 = 1.6666665459E-1f;
    private const float E2 = 4.1665795894E-2f;
    private const float E3 = 8.3334519073E-3f;
    private const float E4 = 1.3981999507E-3f;
    private const float E5 = 1.9875691500E-4f;

    // Cephes tanhf's odd polynomial, tanh v ≈ v + v·z(T4 + T3·z + ... + T0·z⁴) with z = v², for |v| < 0.625.
    private const float T0 = -5.70498872745E-3f;
    private const float T1 = 2.06390887954E-2f;
    private const float T2 = -5.37397155531E-2f;
    private const float T3 = 1.33314422036E-1f;
    private const float T4 = -3.33332819422E-1f;

    /// <summary>Where tanh changes from its polynomial to its exponential form.</summary>
    private const float TanhNear = 0.625f;

    /// <summary>1.5·2²³: adding it rounds a float of magnitude below 2²² to an integer held in the low mantissa bits.</summary>
    private const float RoundingShift = 12582912f;

    /// <summary>Takes the rounding shift's bits out of the integer and adds the float exponent's bias, 127.</summary>
    private const int ExponentFromShift = 127 - 0x4B400000;

    /// <summary>ln(2⁻¹²⁶): below it e^v is subnormal, and <see cref="Exp(float)"/> returns 0.</summary>
    private const float Underflow = -87.3365448f;

    /// <summary>Exact GELU, <c>½v·erfc(−v/√2)</c>.</summary>
    public readonly struct Gelu : IVectorFunction
    {
#if NET8_0_OR_GREATER
        /// <summary>Exact GELU, <c>½v·erfc(−v/√2)</c>, on 16 lanes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Invoke(Vector512<float> v)
        {
            var one = Vector512<float>.One;
            var half = Vector512.Create(0.5f);
            var a = Vector512.Abs(v) * Vector512.Create(InvSqrt2);
            var t = one / (one + (a * half));
            var r = t * Exp(ErfcPolynomial(t) - (a * a));
            var erfc = Vector512.ConditionalSelect(Vector512.GreaterThan(v, Vector512<float>.Zero), Vector512.Create(2f) - r, r);
            return Vector512.ConditionalSelect(Vector512.Equals(v, v), half * v * erfc, v);
        }
#endif

        /// <summary>Exact GELU, <c>½v·erfc(−v/√2)</c>, on the lanes of a <see cref="Vector{T}"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> Invoke(Vector<float> v)
        {
            var one = Vector<float>.One;
            var half = new Vector<float>(0.5f);
            var a = Vector.Abs(v) * new Vector<float>(InvSqrt2);
            var t = one / (one + (a * half));
            var r = t * Exp(ErfcPolynomial(t) - (a * a));
            var erfc = Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<float>.Zero), new Vector<float>(2f) - r, r);
            return Vector.ConditionalSelect(Vector.Equals(v, v), half * v * erfc, v);
        }

        /// <summary>
        /// Exact GELU, <c>½v·erfc(−v/√2)</c>, with the Numerical Recipes fit of erfc (relative error
        /// below 1.2e-7): for <c>a = |v|/√2</c> and <c>t = 1/(1 + a/2)</c>, <c>erfc(a) = t·e^(P(t) − a²)</c>,
        /// and <c>erfc(−a) = 2 − erfc(a)</c>. Computing erfc rather than <c>1 + erf</c> keeps the
        /// result accurate for large negative v, where that sum would cancel.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Invoke(float v)
        {
            float a = MathF.Abs(v) * InvSqrt2;
            float t = 1f / (1f + (a * 0.5f));
            float r = t * Exp(ErfcPolynomial(t) - (a * a));
            float erfc = v > 0f ? 2f - r : r;
            return float.IsNaN(v) ? v : 0.5f * v * erfc;
        }

#if !NET8_0_OR_GREATER
        Vector<float> IVectorFunction.Apply(Vector<float> v) => Invoke(v);

        float IVectorFunction.Apply(float v) => Invoke(v);
#endif
    }

    /// <summary>GELU's tanh form, <c>½v(1 + tanh(√(2/π)(v + 0.044715v³)))</c>.</summary>
    public readonly struct GeluTanh : IVectorFunction
    {
#if NET8_0_OR_GREATER
        /// <summary>GELU's tanh form on 16 lanes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Invoke(Vector512<float> v)
        {
            var one = Vector512<float>.One;
            var u = Vector512.Create(SqrtTwoOverPi) * (v + (Vector512.Create(GeluCubic) * (v * v * v)));
            var e = Exp(Vector512.Abs(u) * Vector512.Create(-2f));
            var s = one / (one + e);
            return Vector512.ConditionalSelect(Vector512.Equals(v, v), v * (Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(u, Vector512<float>.Zero), one, e) * s), v);
        }
#endif

        /// <summary>GELU's tanh form on the lanes of a <see cref="Vector{T}"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> Invoke(Vector<float> v)
        {
            var one = Vector<float>.One;
            var u = new Vector<float>(SqrtTwoOverPi) * (v + (new Vector<float>(GeluCubic) * (v * v * v)));
            var e = Exp(Vector.Abs(u) * new Vector<float>(-2f));
            var s = one / (one + e);
            return Vector.ConditionalSelect(Vector.Equals(v, v), v * (Vector.ConditionalSelect(Vector.GreaterThanOrEqual(u, Vector<float>.Zero), one, e) * s), v);
        }

        /// <summary>
        /// GELU's tanh form, <c>½v(1 + tanh(u))</c> with <c>u = √(2/π)(v + 0.044715v³)</c>, computed as
        /// <c>v·σ(2u)</c>, since <c>½(1 + tanh u) = σ(2u) = 1/(1 + e^(−2u))</c>. With <c>e = e^(−2|u|)</c>
        /// (never above 1, so nothing overflows), <c>σ(2u)</c> is <c>1/(1 + e)</c> for u ≥ 0 and
        /// <c>e/(1 + e)</c> for u &lt; 0, each without cancellation.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Invoke(float v)
        {
            float u = SqrtTwoOverPi * (v + (GeluCubic * (v * v * v)));
            float e = Exp(MathF.Abs(u) * -2f);
            float s = 1f / (1f + e);
            return float.IsNaN(v) ? v : v * ((u >= 0f ? 1f : e) * s);
        }

#if !NET8_0_OR_GREATER
        Vector<float> IVectorFunction.Apply(Vector<float> v) => Invoke(v);

        float IVectorFunction.Apply(float v) => Invoke(v);
#endif
    }

    /// <summary>The logistic sigmoid, <c>σ(v) = 1/(1 + e^(−v))</c>.</summary>
    public readonly struct Sigmoid : IVectorFunction
    {
#if NET8_0_OR_GREATER
        /// <summary>The sigmoid on 16 lanes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Invoke(Vector512<float> v) =>
            Vector512.ConditionalSelect(Vector512.Equals(v, v), Logistic(v), v);
#endif

        /// <summary>The sigmoid on the lanes of a <see cref="Vector{T}"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> Invoke(Vector<float> v) =>
            Vector.ConditionalSelect(Vector.Equals(v, v), Logistic(v), v);

        /// <summary>
        /// The sigmoid, from <c>e = e^(−|v|)</c> (never above 1, so nothing overflows):
        /// <c>1/(1 + e)</c> for v ≥ 0 and <c>e·1/(1 + e)</c> for v &lt; 0, neither of which cancels.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Invoke(float v) => float.IsNaN(v) ? v : Logistic(v);

#if !NET8_0_OR_GREATER
        Vector<float> IVectorFunction.Apply(Vector<float> v) => Invoke(v);

        float IVectorFunction.Apply(float v) => Invoke(v);
#endif
    }

    /// <summary>SiLU, <c>v·σ(v)</c>.</summary>
    public readonly struct Silu : IVectorFunction
    {
#if NET8_0_OR_GREATER
        /// <summary>SiLU on 16 lanes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Invoke(Vector512<float> v) =>
            Vector512.ConditionalSelect(Vector512.Equals(v, v), v * Logistic(v), v);
#endif

        /// <summary>SiLU on the lanes of a <see cref="Vector{T}"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> Invoke(Vector<float> v) =>
            Vector.ConditionalSelect(Vector.Equals(v, v), v * Logistic(v), v);

        /// <summary>SiLU, <c>v·σ(v)</c>, with the sigmoid of <see cref="Sigmoid.Invoke(float)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Invoke(float v) => float.IsNaN(v) ? v : v * Logistic(v);

#if !NET8_0_OR_GREATER
        Vector<float> IVectorFunction.Apply(Vector<float> v) => Invoke(v);

        float IVectorFunction.Apply(float v) => Invoke(v);
#endif
    }

    /// <summary>The hyperbolic tangent.</summary>
    public readonly struct Tanh : IVectorFunction
    {
#if NET8_0_OR_GREATER
        /// <summary>tanh on 16 lanes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Invoke(Vector512<float> v)
        {
            var one = Vector512<float>.One;
            var a = Vector512.Abs(v);
            var e = Exp(a * Vector512.Create(-2f));
            var far = (one - e) / (one + e);
            var z = a * a;
            var z2 = z * z;
            var p = (((Vector512.Create(T0) * z) + Vector512.Create(T1)) * z2) + ((Vector512.Create(T2) * z) + Vector512.Create(T3));
            p = (p * z) + Vector512.Create(T4);
            var near = (p * z * a) + a;
            var r = Vector512.ConditionalSelect(Vector512.LessThan(a, Vector512.Create(TanhNear)), near, far);
            return Vector512.ConditionalSelect(Vector512.Equals(v, v), Vector512.ConditionalSelect(Vector512.Create(-0f), v, r), v);
        }
#endif

        /// <summary>tanh on the lanes of a <see cref="Vector{T}"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> Invoke(Vector<float> v)
        {
            var one = Vector<float>.One;
            var a = Vector.Abs(v);
            var e = Exp(a * new Vector<float>(-2f));
            var far = (one - e) / (one + e);
            var z = a * a;
            var z2 = z * z;
            var p = (((new Vector<float>(T0) * z) + new Vector<float>(T1)) * z2) + ((new Vector<float>(T2) * z) + new Vector<float>(T3));
            p = (p * z) + new Vector<float>(T4);
            var near = (p * z * a) + a;
            var r = Vector.ConditionalSelect(Vector.LessThan(a, new Vector<float>(TanhNear)), near, far);
            return Vector.ConditionalSelect(Vector.Equals(v, v), Vector.ConditionalSelect(new Vector<float>(-0f), v, r), v);
        }

        /// <summary>
        /// tanh as Cephes <c>tanhf</c> computes it, on <c>a = |v|</c> with v's sign put back
        /// (tanh is odd, and so −0 stays −0): below 0.625 an odd polynomial, <c>a + a·z·P(z)</c>
        /// with <c>z = a²</c>, which keeps the relative accuracy near 0 that
        /// <c>1 − 2/(e^(2a) + 1)</c> would lose; above, <c>(1 − e)/(1 + e)</c> with
        /// <c>e = e^(−2a)</c> ≤ e^(−1.25), so the numerator cannot cancel and nothing overflows.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Invoke(float v)
        {
            float a = MathF.Abs(v);
            float e = Exp(a * -2f);
            float far = (1f - e) / (1f + e);
            float z = a * a;
            float z2 = z * z;
            float p = (((T0 * z) + T1) * z2) + ((T2 * z) + T3);
            p = (p * z) + T4;
            float near = (p * z * a) + a;
            return float.IsNaN(v) ? v : CopySign(a < TanhNear ? near : far, v);
        }

#if !NET8_0_OR_GREATER
        Vector<float> IVectorFunction.Apply(Vector<float> v) => Invoke(v);

        float IVectorFunction.Apply(float v) => Invoke(v);
#endif
    }

#if NET8_0_OR_GREATER
    /// <summary>σ(v) on 16 lanes, without the NaN guard (see <see cref="Sigmoid.Invoke(float)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Logistic(Vector512<float> v)
    {
        var e = Exp(-Vector512.Abs(v));
        var s = Vector512<float>.One / (Vector512<float>.One + e);
        return Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(v, Vector512<float>.Zero), s, e * s);
    }
#endif

    /// <summary>σ(v) on the lanes of a <see cref="Vector{T}"/>, without the NaN guard.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Logistic(Vector<float> v)
    {
        var e = Exp(-Vector.Abs(v));
        var s = Vector<float>.One / (Vector<float>.One + e);
        return Vector.ConditionalSelect(Vector.GreaterThanOrEqual(v, Vector<float>.Zero), s, e * s);
    }

    /// <summary><paramref name="magnitude"/> with the sign of <paramref name="sign"/> (netstandard2.1 has no <c>MathF.CopySign</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
#if NET8_0_OR_GREATER
    private static float CopySign(float magnitude, float sign) => MathF.CopySign(magnitude, sign);
#else
    private static float CopySign(float magnitude, float sign) =>
        BitConverter.Int32BitsToSingle((BitConverter.SingleToInt32Bits(magnitude) & int.MaxValue) | (BitConverter.SingleToInt32Bits(sign) & int.MinValue));
#endif

    /// <summary>σ(v), without the NaN guard.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Logistic(float v)
    {
        float e = Exp(-MathF.Abs(v));
        float s = 1f / (1f + e);
        return v >= 0f ? s : e * s;
    }

#if NET8_0_OR_GREATER
    /// <summary><c>e^v</c> on 16 lanes, for v ≤ 88 (see <see cref="Exp(float)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Exp(Vector512<float> v)
    {
        var k = (v * Vector512.Create(Log2E)) + Vector512.Create(RoundingShift);
        var n = k - Vector512.Create(RoundingShift);
        var r = v - (n * Vector512.Create(Ln2High));
        r -= n * Vector512.Create(Ln2Low);
        var r2 = r * r;
        var p = ((((Vector512.Create(E5) * r) + Vector512.Create(E4)) * r2) + ((Vector512.Create(E3) * r) + Vector512.Create(E2))) * r2;
        p += (Vector512.Create(E1) * r) + Vector512.Create(E0);
        var er = (p * r2) + r + Vector512<float>.One;
        var scale = Vector512.ShiftLeft(k.AsInt32() + Vector512.Create(ExponentFromShift), 23).AsSingle();
        return Vector512.ConditionalSelect(Vector512.LessThan(v, Vector512.Create(Underflow)), Vector512<float>.Zero, er * scale);
    }
#endif

    /// <summary><c>e^v</c> on the lanes of a <see cref="Vector{T}"/>, for v ≤ 88 (see <see cref="Exp(float)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector<float> Exp(Vector<float> v)
    {
        var k = (v * new Vector<float>(Log2E)) + new Vector<float>(RoundingShift);
        var n = k - new Vector<float>(RoundingShift);
        var r = v - (n * new Vector<float>(Ln2High));
        r -= n * new Vector<float>(Ln2Low);
        var r2 = r * r;
        var p = ((((new Vector<float>(E5) * r) + new Vector<float>(E4)) * r2) + ((new Vector<float>(E3) * r) + new Vector<float>(E2))) * r2;
        p += (new Vector<float>(E1) * r) + new Vector<float>(E0);
        var er = (p * r2) + r + Vector<float>.One;
        var scale = Vector.AsVectorSingle(Vector.ShiftLeft(Vector.AsVectorInt32(k) + new Vector<int>(ExponentFromShift), 23));
        return Vector.ConditionalSelect(Vector.LessThan(v, new Vector<float>(Underflow)), Vector<float>.Zero, er * scale);
    }

    /// <summary>
    /// <c>e^v</c> for v ≤ 88, within about 1 ulp (Cephes <c>expf</c>): <c>v = n·ln 2 + r</c> with
    /// <c>n</c> the nearest integer to <c>v·log₂e</c> and <c>|r| ≤ ½ ln 2</c> (ln 2 in two parts, so
    /// <c>r</c> keeps its digits), <c>e^r</c> by a polynomial, and <c>2ⁿ</c> written into the
    /// exponent bits. Below ln(2⁻¹²⁶) the result, which would be subnormal, is 0; −∞ gives 0 and
    /// NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Exp(float v)
    {
        float k = (v * Log2E) + RoundingShift;
        float n = k - RoundingShift;
        float r = v - (n * Ln2High);
        r -= n * Ln2Low;
        float r2 = r * r;
        float p = ((((E5 * r) + E4) * r2) + ((E3 * r) + E2)) * r2;
        p += (E1 * r) + E0;
        float er = (p * r2) + r + 1f;
        float scale = BitConverter.Int32BitsToSingle((BitConverter.SingleToInt32Bits(k) + ExponentFromShift) << 23);
        return v < Underflow ? 0f : er * scale;
    }

#if NET8_0_OR_GREATER
    /// <summary>
    /// The exponent's polynomial of the erfc fit, <c>P(t) = −1.26551223 + 1.00002368t + ... + 0.17087277t⁹</c>,
    /// on 16 lanes, in Estrin's order (pairs, then pairs of pairs with t², t⁴ and t⁸): a chain of
    /// 7 dependent steps where Horner's has 18, which is what bounds the GELU's speed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ErfcPolynomial(Vector512<float> t)
    {
        var t2 = t * t;
        var t4 = t2 * t2;
        var q0 = (Vector512.Create(C1) * t) + Vector512.Create(C0);
        var q1 = (Vector512.Create(C3) * t) + Vector512.Create(C2);
        var q2 = (Vector512.Create(C5) * t) + Vector512.Create(C4);
        var q3 = (Vector512.Create(C7) * t) + Vector512.Create(C6);
        var q4 = (Vector512.Create(C9) * t) + Vector512.Create(C8);
        var low = (q1 * t2) + q0;
        var high = (q3 * t2) + q2;
        return (q4 * (t4 * t4)) + ((high * t4) + low);
    }
#endif

    /// <summary>The exponent's polynomial of the erfc fit on the lanes of a <see cref="Vector{T}"/>, in Estrin's order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> ErfcPolynomial(Vector<float> t)
    {
        var t2 = t * t;
        var t4 = t2 * t2;
        var q0 = (new Vector<float>(C1) * t) + new Vector<float>(C0);
        var q1 = (new Vector<float>(C3) * t) + new Vector<float>(C2);
        var q2 = (new Vector<float>(C5) * t) + new Vector<float>(C4);
        var q3 = (new Vector<float>(C7) * t) + new Vector<float>(C6);
        var q4 = (new Vector<float>(C9) * t) + new Vector<float>(C8);
        var low = (q1 * t2) + q0;
        var high = (q3 * t2) + q2;
        return (q4 * (t4 * t4)) + ((high * t4) + low);
    }

    /// <summary>The exponent's polynomial of the erfc fit, in Estrin's order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ErfcPolynomial(float t)
    {
        float t2 = t * t;
        float t4 = t2 * t2;
        float q0 = (C1 * t) + C0;
        float q1 = (C3 * t) + C2;
        float q2 = (C5 * t) + C4;
        float q3 = (C7 * t) + C6;
        float q4 = (C9 * t) + C8;
        float low = (q1 * t2) + q0;
        float high = (q3 * t2) + q2;
        return (q4 * (t4 * t4)) + ((high * t4) + low);
    }
}

#if NET8_0_OR_GREATER
/// <summary>An element-wise function in the three forms <c>VectorFunctions</c> gives, for loops generic over it.</summary>
internal interface IVectorFunction
{
    /// <summary>The function on 16 lanes.</summary>
    static abstract Vector512<float> Invoke(Vector512<float> v);

    /// <summary>The function on the lanes of a <see cref="Vector{T}"/>.</summary>
    static abstract Vector<float> Invoke(Vector<float> v);

    /// <summary>The function on one value, with the same operations as on a lane.</summary>
    static abstract float Invoke(float v);
}
#else
/// <summary>An element-wise function in the two forms <c>VectorFunctions</c> gives on netstandard2.1, for loops generic over it.</summary>
/// <remarks>
/// .NET Standard 2.1 has no static abstract members, so loops call these instance forms on
/// <c>default(TFunction)</c>: a constrained call on a struct, which the JIT resolves and inlines.
/// </remarks>
internal interface IVectorFunction
{
    /// <summary>The function on the lanes of a <see cref="Vector{T}"/>.</summary>
    Vector<float> Apply(Vector<float> v);

    /// <summary>The function on one value, with the same operations as on a lane.</summary>
    float Apply(float v);
}
#endif
