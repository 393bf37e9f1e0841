using System;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
#endif

namespace NetGen.Runtime;

/// <summary>
/// The backward pass of every op, over row-major batches: what a trainable network's generated
/// <c>Model.BackwardBatch</c> calls, step by step in reverse, and the forward forms that record
/// what those steps need (a norm's per-row statistics).
/// </summary>
/// <remarks>
/// <para>
/// Conventions. <c>dy</c> is dL/d(output) of the step, <c>dx</c> dL/d(input). Parameter
/// gradients are always <em>added</em> to (training sums them over batches until
/// <c>ZeroGradients</c>). An input gradient is written, or added to when
/// <c>accumulate</c> is true: a tensor read by two steps (a residual block's input) gets the sum of
/// both steps' contributions, the first of them writing, the second adding. An empty
/// <c>dx</c> skips the input gradient.
/// </para>
/// <para>
/// Derivatives take the forms that stay accurate, as PyTorch's do: sigmoid, tanh and the
/// softmaxes from their saved outputs (log-softmax's through <c>e^y</c>, never a division);
/// GELU's exact derivative <c>Φ(x) + x·φ(x)</c>; norms from the saved mean and inverse deviation
/// of each row, in double.
/// </para>
/// </remarks>
public static class Gradients
{
    private const double InvSqrt2 = 0.70710678118654752440;
    private const double InvSqrt2Pi = 0.39894228040143267794;
    private const double SqrtTwoOverPi = 0.79788456080286535588;

    /// <summary>
    /// Linear <c>Y = X Wᵀ + b</c> over <paramref name="rows"/> rows of <paramref name="columns"/>, with
    /// W row-major <c>[outputs, columns]</c> as a trainable model holds it: no packing of weights
    /// that change every step.
    /// </summary>
    /// <remarks>
    /// With <paramref name="scratch"/> of <c>rows · (columns + outputs)</c> floats and at least a
    /// vector's width of rows, it computes <c>Yᵀ = W Xᵀ</c> with the backward pass's matrix kernel
    /// (the activations, not the weights, are transposed: 32 rows of 784 are a quarter of a 128 × 784
    /// weight); otherwise dot products of rows. Either way each float32 chain is short (64 terms, or
    /// 32 per lane) and the sum exact enough for the format's bound.
    /// </remarks>
    /// <exception cref="ArgumentException">A length disagrees with the sizes.</exception>
    public static void LinearForward(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, int rows, int columns, int outputs, Span<float> scratch)
    {
        Guard.Length(x.Length, checked(rows * columns), nameof(x));
        Guard.Length(weight.Length, checked(outputs * columns), nameof(weight));
        Guard.Length(y.Length, checked(rows * outputs), nameof(y));
        if (!bias.IsEmpty)
        {
            Guard.Length(bias.Length, outputs, nameof(bias));
        }

        if (rows < Gemm.Width || scratch.Length < (long)rows * (columns + outputs))
        {
            Gemm.MultiplyTransposed(x, columns, weight, columns, bias, y, outputs, rows, outputs, columns);
            return;
        }

        var xt = scratch.Slice(0, rows * columns);
        var yt = scratch.Slice(rows * columns, rows * outputs);
        Transpose(x, rows, columns, xt);
        Gemm.Multiply(weight, columns, 1, xt, rows, yt, rows, outputs, rows, columns, accumulate: false);
        Transpose(yt, outputs, rows, y);
        if (!bias.IsEmpty)
        {
            for (int r = 0; r < rows; r++)
            {
                Add(bias, y.Slice(r * outputs, outputs));
            }
        }
    }

    /// <summary><c>t[j, i] = a[i, j]</c> for <c>a</c> of <paramref name="rows"/> × <paramref name="columns"/>, in tiles of 8 × 8.</summary>
    private static void Transpose(ReadOnlySpan<float> a, int rows, int columns, Span<float> t)
    {
        const int Tile = 8;
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rt = ref MemoryMarshal.GetReference(t);
        for (int j0 = 0; j0 < columns; j0 += Tile)
        {
            int j1 = Math.Min(columns, j0 + Tile);
            for (int i0 = 0; i0 < rows; i0 += Tile)
            {
                int i1 = Math.Min(rows, i0 + Tile);
#if NET8_0_OR_GREATER
                if (Avx.IsSupported && i1 - i0 == Tile && j1 - j0 == Tile)
                {
                    Transpose8x8(ref Unsafe.Add(ref ra, (i0 * columns) + j0), columns, ref Unsafe.Add(ref rt, (j0 * rows) + i0), rows);
                    continue;
                }
#endif
                for (int j = j0; j < j1; j++)
                {
                    ref float tj = ref Unsafe.Add(ref rt, j * rows);
                    for (int i = i0; i < i1; i++)
                    {
                        Unsafe.Add(ref tj, i) = Unsafe.Add(ref ra, (i * columns) + j);
                    }
                }
            }
        }
    }

#if NET8_0_OR_GREATER
    /// <summary>One 8 × 8 tile, in registers: the unpacks, shuffles and lane permutes of AVX.</summary>
    private static void Transpose8x8(ref float a, int lda, ref float t, int ldt)
    {
        var r0 = Vector256.LoadUnsafe(ref a);
        var r1 = Vector256.LoadUnsafe(ref a, (nuint)lda);
        var r2 = Vector256.LoadUnsafe(ref a, (nuint)(2 * lda));
        var r3 = Vector256.LoadUnsafe(ref a, (nuint)(3 * lda));
        var r4 = Vector256.LoadUnsafe(ref a, (nuint)(4 * lda));
        var r5 = Vector256.LoadUnsafe(ref a, (nuint)(5 * lda));
        var r6 = Vector256.LoadUnsafe(ref a, (nuint)(6 * lda));
        var r7 = Vector256.LoadUnsafe(ref a, (nuint)(7 * lda));
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(s0, s4, 0x20).StoreUnsafe(ref t);
        Avx.Permute2x128(s1, s5, 0x20).StoreUnsafe(ref t, (nuint)ldt);
        Avx.Permute2x128(s2, s6, 0x20).StoreUnsafe(ref t, (nuint)(2 * ldt));
        Avx.Permute2x128(s3, s7, 0x20).StoreUnsafe(ref t, (nuint)(3 * ldt));
        Avx.Permute2x128(s0, s4, 0x31).StoreUnsafe(ref t, (nuint)(4 * ldt));
        Avx.Permute2x128(s1, s5, 0x31).StoreUnsafe(ref t, (nuint)(5 * ldt));
        Avx.Permute2x128(s2, s6, 0x31).StoreUnsafe(ref t, (nuint)(6 * ldt));
        Avx.Permute2x128(s3, s7, 0x31).StoreUnsafe(ref t, (nuint)(7 * ldt));
    }
#endif

    /// <summary>
    /// Linear <c>Y = X Wᵀ + b</c> over <paramref name="rows"/> rows: <c>dW += dYᵀ X</c>,
    /// <c>db += Σ_rows dY</c> (when <paramref name="dBias"/> is not empty), and <c>dX (+)= dY W</c>
    /// (when <paramref name="dx"/> is not empty).
    /// </summary>
    /// <param name="x">The layer's input, <c>[rows, columns]</c>.</param>
    /// <param name="weight">W, <c>[outputs, columns]</c> row-major.</param>
    /// <param name="dy">dL/dY, <c>[rows, outputs]</c>.</param>
    /// <param name="dWeight">dL/dW, <c>[outputs, columns]</c>, added to.</param>
    /// <param name="dBias">dL/db, <c>[outputs]</c>, added to; empty for a layer without bias.</param>
    /// <param name="dx">dL/dX, <c>[rows, columns]</c>; empty to skip.</param>
    /// <param name="rows">The rows of the batch.</param>
    /// <param name="columns">The layer's input size.</param>
    /// <param name="outputs">The layer's output size.</param>
    /// <param name="accumulate">Whether <paramref name="dx"/> is added to rather than written.</param>
    public static void Linear(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> dy, Span<float> dWeight, Span<float> dBias, Span<float> dx, int rows, int columns, int outputs, bool accumulate)
    {
        long inputs = (long)rows * columns;
        Guard.Length(x.Length, checked((int)inputs), nameof(x));
        Guard.Length(weight.Length, checked(outputs * columns), nameof(weight));
        Guard.Length(dy.Length, checked(rows * outputs), nameof(dy));
        Guard.Length(dWeight.Length, weight.Length, nameof(dWeight));
        if (!dBias.IsEmpty)
        {
            Guard.Length(dBias.Length, outputs, nameof(dBias));
        }

        // dW[o, i] += Σ_r dY[r, o] · X[r, i]: A = dYᵀ (element (o, r) at r·outputs + o).
        Gemm.Multiply(dy, 1, outputs, x, columns, dWeight, columns, outputs, columns, rows, accumulate: true);
        if (!dBias.IsEmpty)
        {
            for (int r = 0; r < rows; r++)
            {
                Add(dy.Slice(r * outputs, outputs), dBias);
            }
        }

        if (!dx.IsEmpty)
        {
            Guard.Length(dx.Length, x.Length, nameof(dx));

            // dX[r, i] (+)= Σ_o dY[r, o] · W[o, i].
            Gemm.Multiply(dy, outputs, 1, weight, columns, dx, columns, rows, columns, outputs, accumulate);
        }
    }

    /// <summary>Identity (and dropout at inference, and either input of a residual sum): <c>dx (+)= dy</c>.</summary>
    public static void Identity(ReadOnlySpan<float> dy, Span<float> dx, bool accumulate)
    {
        Guard.Length(dx.Length, dy.Length, nameof(dx));
        if (accumulate)
        {
            Add(dy, dx);
        }
        else
        {
            dy.CopyTo(dx);
        }
    }

    /// <summary>ReLU: <c>dx (+)= x &gt; 0 ? dy : 0</c> (PyTorch's: the gradient at 0 is 0).</summary>
    public static void Relu(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, bool accumulate)
    {
        Check(x, dy, dx);
        Map(x, dy, dx, accumulate, default(ReluGradient));
    }

    /// <summary>Leaky ReLU: <c>dx (+)= x &gt; 0 ? dy : alpha·dy</c> (PyTorch's: the gradient at 0 is alpha).</summary>
    public static void LeakyRelu(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, float alpha, bool accumulate)
    {
        Check(x, dy, dx);
        Map(x, dy, dx, accumulate, new LeakyReluGradient(alpha));
    }

    /// <summary>ELU: <c>dx (+)= x &gt; 0 ? dy : dy·(y + α)</c>, from the saved output as PyTorch does.</summary>
    public static void Elu(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, float alpha, bool accumulate)
    {
        Check(x, dy, dx);
        Guard.Length(y.Length, x.Length, nameof(y));
        for (int i = 0; i < x.Length; i++)
        {
            Write(dx, i, x[i] > 0f ? dy[i] : dy[i] * (y[i] + alpha), accumulate);
        }
    }

    /// <summary>SELU: <c>dx (+)= x &gt; 0 ? λ·dy : dy·(y + λα)</c>.</summary>
    public static void Selu(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, bool accumulate)
    {
        Check(x, dy, dx);
        Guard.Length(y.Length, x.Length, nameof(y));
        const float ScaledAlpha = SpecialFunctions.SeluScale * SpecialFunctions.SeluAlpha;
        for (int i = 0; i < x.Length; i++)
        {
            Write(dx, i, x[i] > 0f ? dy[i] * SpecialFunctions.SeluScale : dy[i] * (y[i] + ScaledAlpha), accumulate);
        }
    }

    /// <summary>Softplus: <c>dx (+)= βx &gt; threshold ? dy : dy·σ(βx)</c>, in double.</summary>
    public static void Softplus(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, float beta, float threshold, bool accumulate)
    {
        Check(x, dy, dx);
        for (int i = 0; i < x.Length; i++)
        {
            double z = (double)beta * x[i];
            Write(dx, i, z > threshold ? dy[i] : (float)(dy[i] * Logistic(z)), accumulate);
        }
    }

    /// <summary>Mish: <c>dx (+)= dy·(t + x·σ(x)·(1 − t²))</c> with <c>t = tanh(softplus(x))</c>, in double.</summary>
    public static void Mish(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, bool accumulate)
    {
        Check(x, dy, dx);
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            double t = Math.Tanh(v > 20.0 ? v : SpecialFunctions.SoftplusOf(v));
            Write(dx, i, (float)(dy[i] * (t + (v * Logistic(v) * (1.0 - (t * t))))), accumulate);
        }
    }

    /// <summary>Hard sigmoid: <c>dx (+)= 0 &lt; αx + β &lt; 1 ? α·dy : 0</c>.</summary>
    public static void HardSigmoid(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, float alpha, float beta, bool accumulate)
    {
        Check(x, dy, dx);
        for (int i = 0; i < x.Length; i++)
        {
            float t = (x[i] * alpha) + beta;
            Write(dx, i, t > 0f && t < 1f ? dy[i] * alpha : 0f, accumulate);
        }
    }

    /// <summary>Hard swish, as PyTorch: <c>dx (+)= x &lt; −3 ? 0 : x ≤ 3 ? dy·(x/3 + ½) : dy</c>.</summary>
    public static void HardSwish(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, bool accumulate)
    {
        Check(x, dy, dx);
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            Write(dx, i, v < -3f ? 0f : (v <= 3f ? dy[i] * ((v / 3f) + 0.5f) : dy[i]), accumulate);
        }
    }

    /// <summary>Clip, as <c>torch.clamp</c>: <c>dx (+)= min ≤ x ≤ max ? dy : 0</c>.</summary>
    public static void Clip(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, float min, float max, bool accumulate)
    {
        Check(x, dy, dx);
        for (int i = 0; i < x.Length; i++)
        {
            Write(dx, i, x[i] >= min && x[i] <= max ? dy[i] : 0f, accumulate);
        }
    }

    /// <summary>
    /// An affine step's backward over rows of <paramref name="scale"/>'s length,
    /// <c>dx (+)= dy ⊙ scale</c>: its scale and shift are constants, with no gradient.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="dy"/> is not whole rows, or <paramref name="dx"/> is not its length.</exception>
    public static void Affine(ReadOnlySpan<float> dy, ReadOnlySpan<float> scale, Span<float> dx, bool accumulate)
    {
        Guard.Length(dx.Length, dy.Length, nameof(dx));
        int n = scale.Length;
        if (n == 0 || dy.Length % n != 0)
        {
            throw new ArgumentException($"dy holds {dy.Length} values; expected whole rows of the scale's {n}.", nameof(dy));
        }

        for (int row = 0; row < dy.Length; row += n)
        {
            for (int i = 0; i < n; i++)
            {
                Write(dx, row + i, dy[row + i] * scale[i], accumulate);
            }
        }
    }

    /// <summary>
    /// A slice step's backward over rows: each row of <paramref name="dx"/> (of
    /// <paramref name="inputSize"/> values) gets its row of <paramref name="dy"/> at
    /// <paramref name="start"/>, and 0 (or nothing added) elsewhere.
    /// </summary>
    /// <exception cref="ArgumentException">The spans are not the same number of whole rows, or a row of dy does not fit at <paramref name="start"/>.</exception>
    public static void Slice(ReadOnlySpan<float> dy, Span<float> dx, int inputSize, int start, bool accumulate)
    {
        if (inputSize <= 0 || dx.Length % inputSize != 0)
        {
            throw new ArgumentException($"dx holds {dx.Length} values; expected whole rows of {inputSize}.", nameof(dx));
        }

        int rows = dx.Length / inputSize;
        int length = rows == 0 ? 0 : dy.Length / rows;
        if (dy.Length != rows * length || start < 0 || start + length > inputSize)
        {
            throw new ArgumentException($"dy holds {dy.Length} values; expected {rows} rows that fit in {inputSize} from {start}.", nameof(dy));
        }

        for (int row = 0; row < rows; row++)
        {
            Span<float> target = dx.Slice(row * inputSize, inputSize);
            if (!accumulate)
            {
                target.Clear();
            }

            ReadOnlySpan<float> source = dy.Slice(row * length, length);
            for (int i = 0; i < length; i++)
            {
                target[start + i] += source[i];
            }
        }
    }

    /// <summary>
    /// The mask's backward, <c>y = x ⊙ m + fill ⊙ (1 − m)</c> with <c>m</c> each row of
    /// <paramref name="input"/> from <paramref name="offset"/>: <c>dx (+)= dy ⊙ m</c>, and the
    /// input's row <c>(+)= dy ⊙ (x − fill)</c> there, 0 (or nothing added) elsewhere. An empty
    /// <paramref name="dx"/> or <paramref name="dInput"/> is skipped (input gradients not asked for).
    /// </summary>
    /// <exception cref="ArgumentException">The spans are not the same number of whole rows, or a row's mask does not fit in the input from <paramref name="offset"/>.</exception>
    public static void Mask(ReadOnlySpan<float> x, ReadOnlySpan<float> input, ReadOnlySpan<float> dy, Span<float> dx, Span<float> dInput, int size, int offset, float fill, bool accumulateX, bool accumulateInput)
    {
        if (size <= 0 || x.Length % size != 0)
        {
            throw new ArgumentException($"x holds {x.Length} values; expected whole rows of {size}.", nameof(x));
        }

        int rows = x.Length / size;
        int inputSize = rows == 0 ? 0 : input.Length / rows;
        Guard.Length(dy.Length, x.Length, nameof(dy));
        if (input.Length != rows * inputSize || offset < 0 || offset + size > inputSize)
        {
            throw new ArgumentException($"input holds {input.Length} values; expected {rows} rows in which {size} values fit from {offset}.", nameof(input));
        }

        if (!dx.IsEmpty)
        {
            Guard.Length(dx.Length, x.Length, nameof(dx));
            for (int row = 0; row < rows; row++)
            {
                for (int i = 0; i < size; i++)
                {
                    int at = (row * size) + i;
                    Write(dx, at, (float)((double)dy[at] * input[(row * inputSize) + offset + i]), accumulateX);
                }
            }
        }

        if (!dInput.IsEmpty)
        {
            Guard.Length(dInput.Length, input.Length, nameof(dInput));
            for (int row = 0; row < rows; row++)
            {
                Span<float> target = dInput.Slice(row * inputSize, inputSize);
                if (!accumulateInput)
                {
                    target.Clear();
                }

                for (int i = 0; i < size; i++)
                {
                    int at = (row * size) + i;
                    target[offset + i] += (float)((double)dy[at] * ((double)x[at] - fill));
                }
            }
        }
    }

    private static double Logistic(double z) => z >= 0 ? 1.0 / (1.0 + Math.Exp(-z)) : Math.Exp(z) / (1.0 + Math.Exp(z));

    /// <summary>Exact GELU: <c>dx (+)= dy · (Φ(x) + x·φ(x))</c>, in double.</summary>
    public static void Gelu(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, bool accumulate)
    {
        Check(x, dy, dx);
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            double cdf = 0.5 * SpecialFunctions.Erfc(-v * InvSqrt2);
            double pdf = InvSqrt2Pi * Math.Exp(-0.5 * v * v);
            Write(dx, i, (float)(dy[i] * (cdf + (v * pdf))), accumulate);
        }
    }

    /// <summary>GELU's tanh approximation, differentiated as PyTorch does, in double.</summary>
    public static void GeluTanh(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, bool accumulate)
    {
        Check(x, dy, dx);
        const double Kappa = 0.044715;
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            double t = Math.Tanh(SqrtTwoOverPi * (v + (Kappa * v * v * v)));
            double derivative = (0.5 * (1 + t)) + (0.5 * v * (1 - (t * t)) * SqrtTwoOverPi * (1 + (3 * Kappa * v * v)));
            Write(dx, i, (float)(dy[i] * derivative), accumulate);
        }
    }

    /// <summary>SiLU: <c>dx (+)= dy · s · (1 + x·(1 − s))</c> with <c>s = sigmoid(x)</c>, in double.</summary>
    public static void Silu(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, bool accumulate)
    {
        Check(x, dy, dx);
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            double s = Sigmoid(v);
            Write(dx, i, (float)(dy[i] * s * (1 + (v * (1 - s)))), accumulate);
        }
    }

    /// <summary>Sigmoid, from its output: <c>dx (+)= dy · (y · (1 − y))</c>, in float32.</summary>
    public static void Sigmoid(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, bool accumulate)
    {
        Check(y, dy, dx);
        Map(y, dy, dx, accumulate, default(SigmoidGradient));
    }

    /// <summary>Tanh, from its output: <c>dx (+)= dy · (1 − y²)</c>, in float32.</summary>
    public static void Tanh(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, bool accumulate)
    {
        Check(y, dy, dx);
        Map(y, dy, dx, accumulate, default(TanhGradient));
    }

    /// <summary>Softmax over each row of <paramref name="size"/>, from its output: <c>dx (+)= y ⊙ (dy − Σ dy ⊙ y)</c>.</summary>
    public static void Softmax(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int size, bool accumulate)
    {
        Check(y, dy, dx);
        for (int start = 0; start + size <= y.Length; start += size)
        {
            double dot = 0;
            for (int i = start; i < start + size; i++)
            {
                dot += (double)dy[i] * y[i];
            }

            for (int i = start; i < start + size; i++)
            {
                Write(dx, i, (float)(y[i] * (dy[i] - dot)), accumulate);
            }
        }
    }

    /// <summary>Log-softmax over each row of <paramref name="size"/>, from its output: <c>dx (+)= dy − e^y · Σ dy</c>.</summary>
    public static void LogSoftmax(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int size, bool accumulate)
    {
        Check(y, dy, dx);
        for (int start = 0; start + size <= y.Length; start += size)
        {
            double sum = 0;
            for (int i = start; i < start + size; i++)
            {
                sum += dy[i];
            }

            for (int i = start; i < start + size; i++)
            {
                Write(dx, i, (float)(dy[i] - (Math.Exp(y[i]) * sum)), accumulate);
            }
        }
    }

    /// <summary>
    /// Layer norm over each row of <paramref name="size"/>, as <see cref="Normalization.LayerNorm"/>
    /// computes it, recording each row's mean and inverse deviation <c>1/√(var + eps)</c>.
    /// </summary>
    public static void LayerNormForward(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, double epsilon, Span<double> statistics, int size)
    {
        Guard.Length(y.Length, x.Length, nameof(y));
        int rows = x.Length / size;
        Guard.Length(statistics.Length, 2 * rows, nameof(statistics));
        Guard.Length(weight.IsEmpty ? size : weight.Length, size, nameof(weight));
        Guard.Length(bias.IsEmpty ? size : bias.Length, size, nameof(bias));
        for (int r = 0; r < rows; r++)
        {
            statistics[(2 * r) + 1] = Normalization.LayerNormRow(x.Slice(r * size, size), y.Slice(r * size, size), weight, bias, epsilon, out statistics[2 * r]);
        }
    }

    /// <summary>
    /// Layer norm's backward from the recorded statistics: with <c>x̂ = (x − μ)·σ⁻¹</c> and
    /// <c>g = dy ⊙ weight</c>, <c>dx (+)= σ⁻¹ (g − mean(g) − x̂ · mean(g ⊙ x̂))</c>,
    /// <c>dWeight += Σ_rows dy ⊙ x̂</c>, <c>dBias += Σ_rows dy</c>.
    /// </summary>
    public static void LayerNorm(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> weight, ReadOnlySpan<double> statistics, Span<float> dWeight, Span<float> dBias, Span<float> dx, int size, bool accumulate)
    {
        Guard.Length(dy.Length, x.Length, nameof(dy));
        int rows = x.Length / size;
        Guard.Length(statistics.Length, 2 * rows, nameof(statistics));
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * size, size);
            var dyr = dy.Slice(r * size, size);
            double mean = statistics[2 * r], inverseStd = statistics[(2 * r) + 1];
            double sumG = 0, sumGx = 0;
            for (int i = 0; i < size; i++)
            {
                double normalized = (xr[i] - mean) * inverseStd;
                double g = weight.IsEmpty ? dyr[i] : (double)dyr[i] * weight[i];
                sumG += g;
                sumGx += g * normalized;
                if (!dWeight.IsEmpty)
                {
                    dWeight[i] += (float)(dyr[i] * normalized);
                }

                if (!dBias.IsEmpty)
                {
                    dBias[i] += dyr[i];
                }
            }

            if (dx.IsEmpty)
            {
                continue;
            }

            double meanG = sumG / size, meanGx = sumGx / size;
            var dxr = dx.Slice(r * size, size);
            for (int i = 0; i < size; i++)
            {
                double normalized = (xr[i] - mean) * inverseStd;
                double g = weight.IsEmpty ? dyr[i] : (double)dyr[i] * weight[i];
                Write(dxr, i, (float)(inverseStd * (g - meanG - (normalized * meanGx))), accumulate);
            }
        }
    }

    /// <summary>RMS norm over each row of <paramref name="size"/>, as <see cref="Normalization.RmsNorm"/> computes it, recording each row's <c>1/√(mean(x²) + eps)</c>.</summary>
    public static void RmsNormForward(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> weight, double epsilon, Span<double> statistics, int size)
    {
        Guard.Length(y.Length, x.Length, nameof(y));
        int rows = x.Length / size;
        Guard.Length(statistics.Length, rows, nameof(statistics));
        Guard.Length(weight.IsEmpty ? size : weight.Length, size, nameof(weight));
        for (int r = 0; r < rows; r++)
        {
            statistics[r] = Normalization.RmsNormRow(x.Slice(r * size, size), y.Slice(r * size, size), weight, epsilon);
        }
    }

    /// <summary>
    /// RMS norm's backward: with <c>ρ = 1/√(mean(x²) + eps)</c>, <c>x̂ = x·ρ</c> and
    /// <c>g = dy ⊙ weight</c>, <c>dx (+)= ρ (g − x̂ · mean(g ⊙ x̂))</c> and <c>dWeight += Σ_rows dy ⊙ x̂</c>.
    /// </summary>
    public static void RmsNorm(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> weight, ReadOnlySpan<double> statistics, Span<float> dWeight, Span<float> dx, int size, bool accumulate)
    {
        Guard.Length(dy.Length, x.Length, nameof(dy));
        int rows = x.Length / size;
        Guard.Length(statistics.Length, rows, nameof(statistics));
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * size, size);
            var dyr = dy.Slice(r * size, size);
            double inverseRms = statistics[r];
            double sumGx = 0;
            for (int i = 0; i < size; i++)
            {
                double normalized = xr[i] * inverseRms;
                double g = weight.IsEmpty ? dyr[i] : (double)dyr[i] * weight[i];
                sumGx += g * normalized;
                if (!dWeight.IsEmpty)
                {
                    dWeight[i] += (float)(dyr[i] * normalized);
                }
            }

            if (dx.IsEmpty)
            {
                continue;
            }

            double meanGx = sumGx / size;
            var dxr = dx.Slice(r * size, size);
            for (int i = 0; i < size; i++)
            {
                double normalized = xr[i] * inverseRms;
                double g = weight.IsEmpty ? dyr[i] : (double)dyr[i] * weight[i];
                Write(dxr, i, (float)(inverseRms * (g - (normalized * meanGx))), accumulate);
            }
        }
    }

    /// <summary>
    /// <c>1/√(running_var + eps)</c> of each feature, in double: what batch norm's forward and
    /// backward passes read. The running statistics do not train, so a trainable model computes
    /// this once (a generated model class, when it is first used), not on every call.
    /// </summary>
    public static double[] InverseStandardDeviations(ReadOnlySpan<float> runningVar, double epsilon)
    {
        var inverse = new double[runningVar.Length];
        for (int i = 0; i < inverse.Length; i++)
        {
            inverse[i] = 1.0 / Math.Sqrt(runningVar[i] + epsilon);
        }

        return inverse;
    }

    /// <summary>
    /// Batch norm with its running statistics (inference semantics, as <c>model.eval()</c>), its
    /// weight and bias read as they are now: <c>y = (x − running_mean) ⊙ inverseStd ⊙ weight + bias</c>, in double,
    /// with <paramref name="inverseStd"/> from <see cref="InverseStandardDeviations"/>.
    /// </summary>
    public static void BatchNormForward(ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> runningMean, ReadOnlySpan<double> inverseStd)
    {
        int size = runningMean.Length;
        Guard.Length(y.Length, x.Length, nameof(y));
        Guard.Length(inverseStd.Length, size, nameof(inverseStd));
        for (int start = 0; start + size <= x.Length; start += size)
        {
            for (int i = 0; i < size; i++)
            {
                double v = (x[start + i] - (double)runningMean[i]) * inverseStd[i];
                if (!weight.IsEmpty)
                {
                    v *= weight[i];
                }

                if (!bias.IsEmpty)
                {
                    v += bias[i];
                }

                y[start + i] = (float)v;
            }
        }
    }

    /// <summary>
    /// Batch norm's backward with its running statistics constant: <c>dx (+)= dy ⊙ weight ⊙ inverseStd</c>,
    /// <c>dWeight += Σ_rows dy ⊙ (x − running_mean) ⊙ inverseStd</c>, <c>dBias += Σ_rows dy</c>.
    /// </summary>
    public static void BatchNorm(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> weight, ReadOnlySpan<float> runningMean, ReadOnlySpan<double> inverseStd, Span<float> dWeight, Span<float> dBias, Span<float> dx, bool accumulate)
    {
        int size = runningMean.Length;
        Guard.Length(dy.Length, x.Length, nameof(dy));
        Guard.Length(inverseStd.Length, size, nameof(inverseStd));
        for (int start = 0; start + size <= x.Length; start += size)
        {
            for (int i = 0; i < size; i++)
            {
                double g = dy[start + i];
                if (!dWeight.IsEmpty)
                {
                    dWeight[i] += (float)(g * (x[start + i] - (double)runningMean[i]) * inverseStd[i]);
                }

                if (!dBias.IsEmpty)
                {
                    dBias[i] += (float)g;
                }

                if (!dx.IsEmpty)
                {
                    Write(dx, start + i, (float)(g * inverseStd[i] * (weight.IsEmpty ? 1.0 : weight[i])), accumulate);
                }
            }
        }
    }

    /// <summary>
    /// The gating of a SwiGLU block, <c>h = silu(gate) ⊙ up</c>: <c>dGate = dh ⊙ up ⊙ silu′(gate)</c>
    /// and <c>dUp = dh ⊙ silu(gate)</c>, both written (each tensor has no other reader).
    /// </summary>
    public static void SwiGluGate(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, ReadOnlySpan<float> dh, Span<float> dGate, Span<float> dUp)
    {
        Check(gate, dh, dGate);
        Guard.Length(up.Length, gate.Length, nameof(up));
        Guard.Length(dUp.Length, gate.Length, nameof(dUp));
        for (int i = 0; i < gate.Length; i++)
        {
            double g = gate[i];
            double s = Sigmoid(g);
            dGate[i] = (float)(dh[i] * (double)up[i] * s * (1 + (g * (1 - s))));
            dUp[i] = (float)(dh[i] * g * s);
        }
    }

    private static double Sigmoid(double v) => v >= 0 ? 1 / (1 + Math.Exp(-v)) : Math.Exp(v) / (1 + Math.Exp(v));

    private static void Add(ReadOnlySpan<float> source, Span<float> destination)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var s = MemoryMarshal.Cast<float, Vector<float>>(source);
            var d = MemoryMarshal.Cast<float, Vector<float>>(destination.Slice(0, source.Length));
            for (int k = 0; k < s.Length; k++)
            {
                d[k] += s[k];
            }

            i = s.Length * Vector<float>.Count;
        }

        for (; i < source.Length; i++)
        {
            destination[i] += source[i];
        }
    }

    /// <summary><c>dx (+)= f(v, dy)</c> element-wise, a vector at a time: the same float operations in every lane and in the tail.</summary>
    private static void Map<T>(ReadOnlySpan<float> v, ReadOnlySpan<float> dy, Span<float> dx, bool accumulate, T f)
        where T : struct, IElementGradient
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
            var dyv = MemoryMarshal.Cast<float, Vector<float>>(dy);
            var dxv = MemoryMarshal.Cast<float, Vector<float>>(dx);
            for (int k = 0; k < vv.Length; k++)
            {
                var d = f.Invoke(vv[k], dyv[k]);
                dxv[k] = accumulate ? dxv[k] + d : d;
            }

            i = vv.Length * Vector<float>.Count;
        }

        for (; i < v.Length; i++)
        {
            float d = f.Invoke(v[i], dy[i]);
            dx[i] = accumulate ? dx[i] + d : d;
        }
    }

    private interface IElementGradient
    {
        Vector<float> Invoke(Vector<float> v, Vector<float> dy);

        float Invoke(float v, float dy);
    }

    private readonly struct ReluGradient : IElementGradient
    {
        public Vector<float> Invoke(Vector<float> x, Vector<float> dy) => Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<float>.Zero), dy, Vector<float>.Zero);

        public float Invoke(float x, float dy) => x > 0f ? dy : 0f;
    }

    private readonly struct LeakyReluGradient(float alpha) : IElementGradient
    {
        public Vector<float> Invoke(Vector<float> x, Vector<float> dy) => Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<float>.Zero), dy, dy * alpha);

        public float Invoke(float x, float dy) => x > 0f ? dy : dy * alpha;
    }

    private readonly struct SigmoidGradient : IElementGradient
    {
        public Vector<float> Invoke(Vector<float> y, Vector<float> dy) => dy * (y * (Vector<float>.One - y));

        public float Invoke(float y, float dy) => dy * (y * (1f - y));
    }

    private readonly struct TanhGradient : IElementGradient
    {
        public Vector<float> Invoke(Vector<float> y, Vector<float> dy) => dy * (Vector<float>.One - (y * y));

        public float Invoke(float y, float dy) => dy * (1f - (y * y));
    }

    private static void Write(Span<float> dx, int i, float value, bool accumulate)
    {
        if (accumulate)
        {
            dx[i] += value;
        }
        else
        {
            dx[i] = value;
        }
    }

    private static void Check(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> dx)
    {
        if (dy.Length != x.Length || dx.Length != x.Length)
        {
            ThrowLengths(x.Length, dy.Length, dx.Length);
        }
    }

    [DoesNotReturn]
    private static void ThrowLengths(int x, int dy, int dx) =>
        throw new ArgumentException($"Expected dy and dx to have the input's length {x}, but they have {dy} and {dx}.", nameof(dx));
}
