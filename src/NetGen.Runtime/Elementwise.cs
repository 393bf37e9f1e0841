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
    public static float ArgMax(ReadOnlySpan<float> x) => ArgMax(x, last: false);

    /// <summary>
    /// <see cref="ArgMax(ReadOnlySpan{float})"/>, or with <paramref name="last"/> the index of the last
    /// largest value (and of the last NaN), as ONNX's <c>select_last_index</c>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is empty.</exception>
    public static float ArgMax(ReadOnlySpan<float> x, bool last)
    {
        if (x.IsEmpty)
        {
            throw new ArgumentException("Expected at least one value.", nameof(x));
        }

        // The first largest of the values in reading order: from the end for the last.
        int step = last ? -1 : 1;
        int best = last ? x.Length - 1 : 0;
        float largest = x[best];
        for (int i = best; (uint)i < (uint)x.Length && !float.IsNaN(largest); i += step)
        {
            if (x[i] > largest || float.IsNaN(x[i]))
            {
                (best, largest) = (i, x[i]);
            }
        }

        return best;
    }

    /// <summary>
    /// The slice of every row of a block: row <c>r</c> of <paramref name="y"/> (<paramref name="outputSize"/>
    /// values) is row <c>r</c> of <paramref name="x"/> (<paramref name="inputSize"/>) from <paramref name="start"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The spans are not the same number of whole rows, or a row does not fit from <paramref name="start"/>.</exception>
    public static void SliceRows(ReadOnlySpan<float> x, Span<float> y, int inputSize, int start, int outputSize)
    {
        int rows = Rows(x.Length, inputSize, y.Length, outputSize, nameof(y));
        if (start < 0 || start + outputSize > inputSize)
        {
            throw new ArgumentException($"Expected a start from 0 to {inputSize - outputSize}, so that {outputSize} values fit in {inputSize}; found {start}.", nameof(start));
        }

        for (int r = 0; r < rows; r++)
        {
            x.Slice((r * inputSize) + start, outputSize).CopyTo(y.Slice(r * outputSize, outputSize));
        }
    }

    /// <summary>
    /// <see cref="Mask(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, float)"/> of every row of a
    /// block: row <c>r</c>'s mask is row <c>r</c> of <paramref name="input"/> (<paramref name="inputSize"/>
    /// values) from <paramref name="offset"/>. The same float operations as one row's.
    /// </summary>
    /// <exception cref="ArgumentException">The spans are not the same number of whole rows, or a row's mask does not fit from <paramref name="offset"/>.</exception>
    public static void MaskRows(ReadOnlySpan<float> x, ReadOnlySpan<float> input, Span<float> y, int size, int inputSize, int offset, float fill)
    {
        int rows = Rows(input.Length, inputSize, x.Length, size, nameof(x));
        Guard.Length(y.Length, x.Length, nameof(y));
        if (offset < 0 || offset + size > inputSize)
        {
            throw new ArgumentException($"Expected an offset from 0 to {inputSize - size}, so that {size} values fit in {inputSize}; found {offset}.", nameof(offset));
        }

        for (int r = 0; r < rows; r++)
        {
            int at = r * size, from = (r * inputSize) + offset;
            for (int i = 0; i < size; i++)
            {
                y[at + i] = Mask(x[at + i], input[from + i], fill);
            }
        }
    }

    /// <summary>
    /// One group's <see cref="ArgMax(ReadOnlySpan{float})"/> for every row of a block: the group is the
    /// <paramref name="size"/> values of each row of <paramref name="x"/> (<paramref name="inputSize"/>)
    /// from <paramref name="start"/>, and its index goes to value <paramref name="index"/> of the row of
    /// <paramref name="y"/> (<paramref name="outputSize"/>); with <paramref name="last"/>, the last of equal values.
    /// </summary>
    /// <exception cref="ArgumentException">The spans are not the same number of whole rows, or the group or the index does not fit in a row.</exception>
    public static void ArgMaxRows(ReadOnlySpan<float> x, Span<float> y, int inputSize, int start, int size, int outputSize, int index, bool last = false)
    {
        int rows = Rows(x.Length, inputSize, y.Length, outputSize, nameof(y));
        if (start < 0 || size < 1 || start + size > inputSize || (uint)index >= (uint)outputSize)
        {
            throw new ArgumentException($"Expected a group within {inputSize} values and an index below {outputSize}; found {size} values from {start}, index {index}.", nameof(start));
        }

        for (int r = 0; r < rows; r++)
        {
            y[(r * outputSize) + index] = ArgMax(x.Slice((r * inputSize) + start, size), last);
        }
    }

    /// <summary>The rows of two spans of whole rows, which must agree.</summary>
    private static int Rows(int aLength, int aSize, int bLength, int bSize, string bName)
    {
        int rows = aSize <= 0 ? 0 : aLength / aSize;
        if (aSize <= 0 || bSize <= 0 || aLength != rows * aSize || bLength != rows * bSize)
        {
            throw new ArgumentException($"Expected {rows} rows of {bSize} values ({rows * bSize}) beside {rows} rows of {aSize}; found {bLength}.", bName);
        }

        return rows;
    }
}
