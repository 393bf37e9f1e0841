using System;
using System.Numerics.Tensors;

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

        // One dot product per output row: TensorPrimitives.Dot picks the widest vector the
        // CPU has (Vector512, 256 or 128) and falls back to scalar code.
        for (int r = 0; r < rows; r++)
        {
            float sum = TensorPrimitives.Dot(weight.Slice(r * columns, columns), x);
            y[r] = bias.IsEmpty ? sum : sum + bias[r];
        }
    }
}
