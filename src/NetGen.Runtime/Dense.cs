using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen.Runtime;

/// <summary>Dense (fully connected) layers, as generated code calls them.</summary>
public static class Dense
{
    /// <summary>
    /// <c>y = W x + b</c> for a row-major <paramref name="weight"/> of shape
    /// <c>[y.Length, x.Length]</c>; an empty <paramref name="bias"/> means no bias.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths disagree, or <paramref name="y"/> overlaps an input.</exception>
    public static void Linear(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y)
    {
        int rows = y.Length;
        int columns = x.Length;
        Guard.Length(weight.Length, rows * columns, nameof(weight));
        if (!bias.IsEmpty)
        {
            Guard.Length(bias.Length, rows, nameof(bias));
        }

        Guard.NoOverlap(x, y, nameof(x), nameof(y));
        for (int r = 0; r < rows; r++)
        {
            double sum = Dot(weight.Slice(r * columns, columns), x);
            y[r] = (float)(bias.IsEmpty ? sum : sum + bias[r]);
        }
    }

    /// <summary>
    /// The dot product of two float vectors, accumulated in double.
    /// </summary>
    /// <remarks>
    /// The product of two floats is exact in double, so the only rounding that matters is the
    /// final one to float: the result does not depend on the vector width, and a sum whose
    /// terms cancel (a large-weight layer whose output is near 0) keeps its digits. A float32
    /// accumulator loses about √n·ε of the terms' magnitude, which for 300 inputs and weights
    /// of magnitude 3 exceeded the format's bound in our property tests.
    /// </remarks>
    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int n = a.Length;
        Guard.Length(b.Length, n, nameof(b));
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        double sum = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            Vector<double> acc0 = Vector<double>.Zero, acc1 = Vector<double>.Zero;
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector.Widen(Vector.LoadUnsafe(ref ra, (nuint)i), out Vector<double> a0, out Vector<double> a1);
                Vector.Widen(Vector.LoadUnsafe(ref rb, (nuint)i), out Vector<double> b0, out Vector<double> b1);
                acc0 += a0 * b0;
                acc1 += a1 * b1;
            }

            sum = Vector.Sum(acc0 + acc1);
        }

        for (; i < n; i++)
        {
            sum += (double)Unsafe.Add(ref ra, i) * Unsafe.Add(ref rb, i);
        }

        return sum;
    }
}
