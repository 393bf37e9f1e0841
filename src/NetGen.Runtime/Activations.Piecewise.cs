using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen.Runtime;

// The activations that ONNX exports and game policies use beyond the classic ten: the ELU
// family, softplus and mish, the hard (piecewise-linear) family, and clip. Each span form
// computes an element with the float operations of its one-value form in SpecialFunctions, in
// the vector body and in the tail alike, so an element's bits do not depend on its position.
public static partial class Activations
{
    /// <summary><c>y = x &gt; 0 ? x : α(eˣ − 1)</c>, as <c>torch.nn.functional.elu</c>.</summary>
    public static void Elu(ReadOnlySpan<float> x, Span<float> y, float alpha) => ExponentialLinear(x, y, alpha, 1f);

    /// <summary><c>y = λ(x &gt; 0 ? x : α(eˣ − 1))</c> with SELU's fixed α and λ, as <c>torch.nn.functional.selu</c>.</summary>
    public static void Selu(ReadOnlySpan<float> x, Span<float> y) => ExponentialLinear(x, y, SpecialFunctions.SeluAlpha, SpecialFunctions.SeluScale);

    /// <summary><c>y = βx &gt; threshold ? x : log(1 + e^(βx)) / β</c>, as <c>torch.nn.functional.softplus</c>.</summary>
    /// <remarks>One element at a time, in double (no vector logarithm here): a few µs for a 1,000-wide layer.</remarks>
    public static void Softplus(ReadOnlySpan<float> x, Span<float> y, float beta, float threshold)
    {
        Guard.Length(y.Length, x.Length, nameof(y));
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = SpecialFunctions.Softplus(x[i], beta, threshold);
        }
    }

    /// <summary><c>y = x·tanh(softplus(x))</c>, as <c>torch.nn.functional.mish</c>.</summary>
    /// <remarks>One element at a time, in double, as <see cref="Softplus"/>.</remarks>
    public static void Mish(ReadOnlySpan<float> x, Span<float> y)
    {
        Guard.Length(y.Length, x.Length, nameof(y));
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = SpecialFunctions.Mish(x[i]);
        }
    }

    /// <summary><c>y = max(0, min(1, αx + β))</c>, as ONNX <c>HardSigmoid</c> (PyTorch's <c>hardsigmoid</c> is α = 1/6, β = ½).</summary>
    public static void HardSigmoid(ReadOnlySpan<float> x, Span<float> y, float alpha, float beta)
    {
        Guard.Length(y.Length, x.Length, nameof(y));
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var a = new Vector<float>(alpha);
            var b = new Vector<float>(beta);
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref rx, i));
                Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref ry, i)) = Clamp((v * a) + b, Vector<float>.Zero, Vector<float>.One);
            }
        }

        for (; i < x.Length; i++)
        {
            Unsafe.Add(ref ry, i) = SpecialFunctions.HardSigmoid(Unsafe.Add(ref rx, i), alpha, beta);
        }
    }

    /// <summary><c>y = x·min(max(x + 3, 0), 6) / 6</c>, as <c>torch.nn.functional.hardswish</c> and ONNX <c>HardSwish</c>.</summary>
    public static void HardSwish(ReadOnlySpan<float> x, Span<float> y)
    {
        Guard.Length(y.Length, x.Length, nameof(y));
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var three = new Vector<float>(3f);
            var six = new Vector<float>(6f);
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref rx, i));
                Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref ry, i)) = (v * Clamp(v + three, Vector<float>.Zero, six)) / six;
            }
        }

        for (; i < x.Length; i++)
        {
            Unsafe.Add(ref ry, i) = SpecialFunctions.HardSwish(Unsafe.Add(ref rx, i));
        }
    }

    /// <summary>
    /// <c>y = min(max(x, min), max)</c>, as <c>torch.clamp</c> and ONNX <c>Clip</c>: an absent bound is
    /// an infinity, NaN stays NaN, and where <paramref name="min"/> exceeds <paramref name="max"/> every output is <paramref name="max"/>.
    /// </summary>
    public static void Clip(ReadOnlySpan<float> x, Span<float> y, float min, float max)
    {
        Guard.Length(y.Length, x.Length, nameof(y));
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var lo = new Vector<float>(min);
            var hi = new Vector<float>(max);
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref ry, i)) = Clamp(Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref rx, i)), lo, hi);
            }
        }

        for (; i < x.Length; i++)
        {
            Unsafe.Add(ref ry, i) = SpecialFunctions.Clip(Unsafe.Add(ref rx, i), min, max);
        }
    }

    /// <summary>ELU and SELU: <c>scale·(x &gt; 0 ? x : α(eˣ − 1))</c>, with the exponential of <c>VectorFunctions</c>.</summary>
    private static void ExponentialLinear(ReadOnlySpan<float> x, Span<float> y, float alpha, float scale)
    {
        Guard.Length(y.Length, x.Length, nameof(y));
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var a = new Vector<float>(alpha);
            var s = new Vector<float>(scale);
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref rx, i));
                var negative = a * (VectorFunctions.Exp(Vector.Min(v, Vector<float>.Zero)) - Vector<float>.One);
                var r = Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<float>.Zero), v, negative) * s;
                Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref ry, i)) = Vector.ConditionalSelect(Vector.Equals(v, v), r, v);
            }
        }

        for (; i < x.Length; i++)
        {
            Unsafe.Add(ref ry, i) = SpecialFunctions.ExponentialLinear(Unsafe.Add(ref rx, i), alpha, scale);
        }
    }

    /// <summary><c>v &lt; lo ? lo : v</c>, then <c>&gt; hi ? hi</c>: <see cref="SpecialFunctions.Clip"/> on lanes (NaN passes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Clamp(Vector<float> v, Vector<float> lo, Vector<float> hi)
    {
        var m = Vector.ConditionalSelect(Vector.LessThan(v, lo), lo, v);
        return Vector.ConditionalSelect(Vector.GreaterThan(m, hi), hi, m);
    }
}
