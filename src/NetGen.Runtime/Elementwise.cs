using System;
#if NET8_0_OR_GREATER
using System.Numerics.Tensors;
#endif
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen.Runtime;

/// <summary>Element-wise combinations of tensors: residual sums and gated products.</summary>
public static class Elementwise
{
    /// <summary><c>y = a + b</c> (a residual connection).</summary>
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Add(a, b, y);

    /// <summary><c>y = x</c>; nothing to do when the two are the same memory (an identity layer whose output shares its input's scratch).</summary>
    public static void Copy(ReadOnlySpan<float> x, Span<float> y)
    {
        Guard.Length(y.Length, x.Length, nameof(y));
        if (!Unsafe.AreSame(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y)))
        {
            x.CopyTo(y);
        }
    }

    /// <summary><c>h = silu(gate) ⊙ up</c>, the gating of a SwiGLU block.</summary>
    public static void SwiGluGate(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> h)
    {
        Guard.Length(up.Length, gate.Length, nameof(up));
        TensorPrimitives.Sigmoid(gate, h);
        TensorPrimitives.Multiply(h, gate, h);
        TensorPrimitives.Multiply(h, up, h);
    }

    /// <summary>
    /// <c>y = x ⊙ m + fill ⊙ (1 − m)</c> (the format's mask): with an action mask of 1s and 0s, the
    /// allowed values pass unchanged and the others become <paramref name="fill"/>. Each element
    /// is computed with the same float operations wherever it is.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="mask"/> or <paramref name="y"/> is not as long as <paramref name="x"/>.</exception>
    public static void Mask(ReadOnlySpan<float> x, ReadOnlySpan<float> mask, Span<float> y, float fill)
    {
        Guard.Length(mask.Length, x.Length, nameof(mask));
        Guard.Length(y.Length, x.Length, nameof(y));
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = Mask(x[i], mask[i], fill);
        }
    }

    /// <summary>One value of <see cref="Mask(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, float)"/>: <c>x m + fill (1 − m)</c>.</summary>
    public static float Mask(float x, float mask, float fill) => (x * mask) + (fill * (1f - mask));

    /// <summary>
    /// The index of the first largest value of <paramref name="x"/>, as a float (exact up to
    /// 2^24); a NaN counts as the largest, as in PyTorch and NumPy (the first NaN's index).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is empty.</exception>
    public static float ArgMax(ReadOnlySpan<float> x)
    {
        if (x.IsEmpty)
        {
            throw new ArgumentException("Expected at least one value.", nameof(x));
        }

        int best = 0;
        float largest = x[0];
        for (int i = 0; i < x.Length && !float.IsNaN(largest); i++)
        {
            if (x[i] > largest || float.IsNaN(x[i]))
            {
                (best, largest) = (i, x[i]);
            }
        }

        return best;
    }
}
