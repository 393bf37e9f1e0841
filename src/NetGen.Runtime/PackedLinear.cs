using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetGen.Runtime;

/// <summary>What a packed linear kernel applies to each output before it stores it.</summary>
public enum Epilogue
{
    /// <summary><c>y = W x + b</c>.</summary>
    None,

    /// <summary><c>y = max(0, W x + b)</c>: a ReLU fused into the store.</summary>
    Relu,

    /// <summary><c>y = GELU(W x + b)</c>, the exact form, fused into the store (the bits of <see cref="Activations.Gelu(ReadOnlySpan{float}, Span{float})"/>).</summary>
    Gelu,

    /// <summary><c>y = GELU(W x + b)</c>, the tanh form, fused into the store (the bits of <see cref="Activations.GeluTanh(ReadOnlySpan{float}, Span{float})"/>).</summary>
    GeluTanh,

    /// <summary><c>y = σ(W x + b)</c>, the logistic sigmoid, fused into the store (the bits of <see cref="Activations.Sigmoid(ReadOnlySpan{float}, Span{float})"/>).</summary>
    Sigmoid,

    /// <summary><c>y = SiLU(W x + b)</c>, fused into the store (the bits of <see cref="Activations.Silu(ReadOnlySpan{float}, Span{float})"/>).</summary>
    Silu,

    /// <summary><c>y = tanh(W x + b)</c>, fused into the store (the bits of <see cref="Activations.Tanh(ReadOnlySpan{float}, Span{float})"/>).</summary>
    Tanh,
}

/// <summary>
/// Dense layers over weights packed in panels: the register-blocked matrix-vector kernel that
/// <c>Forward</c> calls and the blocked matrix-matrix kernel that <c>ForwardBatch</c> calls.
/// </summary>
/// <remarks>
/// <para>
/// <b>Layout.</b> A weight <c>W[rows, columns]</c> is packed in panels of
/// <see cref="PanelWidth"/> rows. Panel <c>p</c> holds, for each column <c>k</c> in order, the 16
/// weights <c>W[16p + l, k]</c> for <c>l = 0..15</c>, with zeros past the last row. The kernels
/// read each panel front to back exactly once per sample block, so the hardware prefetcher
/// streams it; one vector of 16 weights times one broadcast input updates 16 outputs at once,
/// and no horizontal sums are needed. The same layout serves every vector width: a panel is one
/// <see cref="Vector512{T}"/>, two <see cref="Vector256{T}"/> or four <see cref="Vector128{T}"/>.
/// The generator packs weights at build time (<see cref="Pack"/> does the same at run time).
/// </para>
/// <para>
/// <b>Accuracy.</b> Products are accumulated in float32, with fused multiply-add where the
/// hardware has it, over blocks of <see cref="BlockLength"/> columns; each block's sum is then
/// added in double. A float32 sum's rounding error grows with the number of terms in one chain,
/// so this bounds it by the block length (32 terms) rather than by the layer's width, at the
/// cost of one widening add per 32 columns. Every kernel sums an output in this same order, so
/// a sample gives the same bits alone (<see cref="Forward"/>) and in a batch (<see cref="ForwardBatch"/>).
/// The block length trades accuracy for speed. On the random-network property tests the worst
/// error is 6.4e-6 with blocks of 8, 9.0e-6 with 16 and 7.4e-6 with 32 (of the format's bound,
/// 1e-5·(1 + |y|)), set by the float32 rounding of intermediate tensors. On single layers 200 to
/// 300 wide with weights and inputs near ±3, rare outputs that cancel to near 0 exceed the bound:
/// 264 of 2.26M with blocks of 32, 30 with 16 (a float32 chain per output, or PyTorch, several
/// times as many). Each halving of the block costs the batch kernel about a tenth of its speed
/// (blocks of 16: N2 at batch 32 9% slower, N3 at batch 16 11%), because the widening and the
/// double add at the end of each block share the vector units with the multiply-adds (without
/// them the two-panel tile runs at 265 to 275 GFLOP/s, with them at 228 to 245).
/// </para>
/// </remarks>
public static class PackedLinear
{
    /// <summary>The number of weight rows in one panel.</summary>
    public const int PanelWidth = Contract.PanelWidth;

    /// <summary>The number of columns summed in float32 before the partial sum is added in double.</summary>
    public const int BlockLength = Contract.BlockLength;

    /// <summary>The number of floats <see cref="Pack"/> writes for a <c>[rows, columns]</c> weight.</summary>
    public static int PackedLength(int rows, int columns) => checked((rows + PanelWidth - 1) / PanelWidth * PanelWidth * columns);

    /// <summary>Packs a row-major <c>[rows, columns]</c> weight into the panel layout the kernels read.</summary>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public static void Pack(ReadOnlySpan<float> weight, int rows, int columns, Span<float> packed)
    {
        Guard.Length(weight.Length, checked(rows * columns), nameof(weight));
        Guard.Length(packed.Length, PackedLength(rows, columns), nameof(packed));
        int panels = (rows + PanelWidth - 1) / PanelWidth;
        for (int p = 0; p < panels; p++)
        {
            for (int k = 0; k < columns; k++)
            {
                for (int l = 0; l < PanelWidth; l++)
                {
                    int r = (p * PanelWidth) + l;
                    packed[(((p * columns) + k) * PanelWidth) + l] = r < rows ? weight[(r * columns) + k] : 0f;
                }
            }
        }
    }

    /// <summary>
    /// <c>y = W x + b</c> for one sample, with <paramref name="epilogue"/> applied to each output;
    /// <paramref name="packed"/> holds <c>W[y.Length, x.Length]</c> in the panel layout, and an
    /// empty <paramref name="bias"/> means no bias.
    /// </summary>
    /// <exception cref="ArgumentException">A length disagrees, or <paramref name="y"/> overlaps <paramref name="x"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epilogue"/> is not a member of <see cref="Epilogue"/>.</exception>
    public static void Forward(ReadOnlySpan<float> packed, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y, Epilogue epilogue = Epilogue.None)
    {
        int rows = y.Length;
        int columns = x.Length;
        CheckArguments(packed, bias, rows, columns, epilogue);
        Guard.NoOverlap(x, y, nameof(x), nameof(y));

        Span<double> sums = stackalloc double[4 * PanelWidth];
        ref float w = ref MemoryMarshal.GetReference(packed);
        ref float rx = ref MemoryMarshal.GetReference(x);
        int row = 0;
        for (; row <= rows - (4 * PanelWidth); row += 4 * PanelWidth)
        {
            sums.Clear();
            FourPanels(ref Unsafe.Add(ref w, row * columns), ref rx, columns, ref MemoryMarshal.GetReference(sums));
            for (int p = 0; p < 4; p++)
            {
                Simd.StorePanel(sums.Slice(p * PanelWidth, PanelWidth), bias, y, row + (p * PanelWidth), 0, PanelWidth, epilogue);
            }
        }

        for (; row < rows; row += PanelWidth)
        {
            Span<double> panel = sums.Slice(0, PanelWidth);
            panel.Clear();
            PanelRow(ref Unsafe.Add(ref w, row * columns), ref rx, columns, ref MemoryMarshal.GetReference(panel));
            Simd.StorePanel(panel, bias, y, row, 0, Math.Min(PanelWidth, rows - row), epilogue);
        }
    }

    /// <summary>
    /// <c>Y = X Wᵀ + b</c> for a row-major batch <c>X[n, columns]</c>, with
    /// <paramref name="epilogue"/> applied to each output: <c>Y[n, rows]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A length disagrees, or <paramref name="y"/> overlaps <paramref name="x"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epilogue"/> is not a member of <see cref="Epilogue"/>.</exception>
    public static void ForwardBatch(ReadOnlySpan<float> packed, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y, int columns, int rows, Epilogue epilogue = Epilogue.None)
    {
        CheckArguments(packed, bias, rows, columns, epilogue);
        int samples = Guard.BatchRows(x.Length, y.Length, columns, rows, nameof(x), nameof(y));
        Guard.NoOverlap(x, y, nameof(x), nameof(y));

        int tileRows = Vector512.IsHardwareAccelerated ? 8 : Vector256.IsHardwareAccelerated ? 4 : Vector128.IsHardwareAccelerated ? 2 : 1;
        Span<double> tile = stackalloc double[8 * 2 * PanelWidth];
        ref float w = ref MemoryMarshal.GetReference(packed);
        ref float rx = ref MemoryMarshal.GetReference(x);
        int row = 0;
        if (tileRows == 8)
        {
            // Two panels at a time: each broadcast input feeds 16 independent FMA chains, not 8
            // (measured: N3 at batch 16 runs about 25% faster than one panel at a time).
            for (; row + PanelWidth < rows; row += 2 * PanelWidth)
            {
                PanelPair(ref Unsafe.Add(ref w, row * columns), bias, x, y, columns, rows, row, samples, tile, epilogue);
            }
        }

        for (; row < rows; row += PanelWidth)
        {
            ref float panel = ref Unsafe.Add(ref w, row * columns);
            int width = Math.Min(PanelWidth, rows - row);
            int sample = 0;
            if (tileRows > 1)
            {
                for (; sample <= samples - tileRows; sample += tileRows)
                {
                    tile.Clear();
                    ref float xs = ref Unsafe.Add(ref rx, sample * columns);
                    ref double t = ref MemoryMarshal.GetReference(tile);
                    if (tileRows == 8)
                    {
                        Tile512(ref panel, ref xs, columns, ref t);
                    }
                    else if (tileRows == 4)
                    {
                        Tile256(ref panel, ref xs, columns, ref t);
                    }
                    else
                    {
                        Tile128(ref panel, ref xs, columns, ref t);
                    }

                    for (int i = 0; i < tileRows; i++)
                    {
                        Simd.StorePanel(tile.Slice(i * PanelWidth, PanelWidth), bias, y, row, (sample + i) * rows, width, epilogue);
                    }
                }
            }

            for (; sample < samples; sample++)
            {
                Span<double> sums = tile.Slice(0, PanelWidth);
                sums.Clear();
                PanelRow(ref panel, ref Unsafe.Add(ref rx, sample * columns), columns, ref MemoryMarshal.GetReference(sums));
                Simd.StorePanel(sums, bias, y, row, sample * rows, width, epilogue);
            }
        }
    }

    /// <summary>
    /// Two adjacent panels (up to 32 outputs, starting at <paramref name="row"/>) for every
    /// sample: tiles of 8 samples through <see cref="TilePair512"/>, the rest one by one.
    /// </summary>
    private static void PanelPair(ref float panels, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y, int columns, int rows, int row, int samples, Span<double> tile, Epilogue epilogue)
    {
        ref float second = ref Unsafe.Add(ref panels, PanelWidth * columns);
        ref float rx = ref MemoryMarshal.GetReference(x);
        int width = Math.Min(PanelWidth, rows - row - PanelWidth);
        int sample = 0;
        for (; sample <= samples - 8; sample += 8)
        {
            tile.Clear();
            TilePair512(ref panels, ref second, ref Unsafe.Add(ref rx, sample * columns), columns, ref MemoryMarshal.GetReference(tile));
            for (int i = 0; i < 8; i++)
            {
                Simd.StorePanel(tile.Slice(i * 2 * PanelWidth, PanelWidth), bias, y, row, (sample + i) * rows, PanelWidth, epilogue);
                Simd.StorePanel(tile.Slice((i * 2 * PanelWidth) + PanelWidth, PanelWidth), bias, y, row + PanelWidth, (sample + i) * rows, width, epilogue);
            }
        }

        for (; sample < samples; sample++)
        {
            Span<double> sums = tile.Slice(0, PanelWidth);
            ref float xs = ref Unsafe.Add(ref rx, sample * columns);
            sums.Clear();
            PanelRow(ref panels, ref xs, columns, ref MemoryMarshal.GetReference(sums));
            Simd.StorePanel(sums, bias, y, row, sample * rows, PanelWidth, epilogue);
            sums.Clear();
            PanelRow(ref second, ref xs, columns, ref MemoryMarshal.GetReference(sums));
            Simd.StorePanel(sums, bias, y, row + PanelWidth, sample * rows, width, epilogue);
        }
    }

    private static void CheckArguments(ReadOnlySpan<float> packed, ReadOnlySpan<float> bias, int rows, int columns, Epilogue epilogue)
    {
        if ((uint)epilogue > (uint)Epilogue.Tanh)
        {
            throw new ArgumentOutOfRangeException(nameof(epilogue), epilogue, "Expected a member of Epilogue.");
        }

        Guard.Length(packed.Length, PackedLength(rows, columns), nameof(packed));
        if (!bias.IsEmpty)
        {
            Guard.Length(bias.Length, rows, nameof(bias));
        }
    }

    /// <summary>One sample times one panel: adds the panel's 16 dot products to <paramref name="sums"/>.</summary>
    /// <remarks>
    /// Every kernel sums each output the same way (one chain of fused multiply-adds per block,
    /// blocks added in double), so a sample gives bit-identical results alone, in a batch, or
    /// beside other panels.
    /// </remarks>
    private static void PanelRow(ref float w, ref float x, int columns, ref double sums)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            for (int k = 0; k < columns; k += BlockLength)
            {
                int end = Math.Min(columns, k + BlockLength);
                Vector512<float> a = default;
                for (int j = k; j < end; j++)
                {
                    a = Simd.MultiplyAdd(Load512(ref w, j), Vector512.Create(Unsafe.Add(ref x, j)), a);
                }

                Simd.AddTo(ref sums, a);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (int k = 0; k < columns; k += BlockLength)
            {
                int end = Math.Min(columns, k + BlockLength);
                Vector256<float> a = default, b = default;
                for (int j = k; j < end; j++)
                {
                    var xj = Vector256.Create(Unsafe.Add(ref x, j));
                    a = Simd.MultiplyAdd(Load256(ref w, j, 0), xj, a);
                    b = Simd.MultiplyAdd(Load256(ref w, j, 8), xj, b);
                }

                Simd.AddTo(ref sums, a);
                Simd.AddTo(ref Unsafe.Add(ref sums, 8), b);
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            for (int k = 0; k < columns; k += BlockLength)
            {
                int end = Math.Min(columns, k + BlockLength);
                Vector128<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int j = k; j < end; j++)
                {
                    var xj = Vector128.Create(Unsafe.Add(ref x, j));
                    a0 = Simd.MultiplyAdd(Load128(ref w, j, 0), xj, a0);
                    a1 = Simd.MultiplyAdd(Load128(ref w, j, 4), xj, a1);
                    a2 = Simd.MultiplyAdd(Load128(ref w, j, 8), xj, a2);
                    a3 = Simd.MultiplyAdd(Load128(ref w, j, 12), xj, a3);
                }

                Simd.AddTo(ref sums, a0);
                Simd.AddTo(ref Unsafe.Add(ref sums, 4), a1);
                Simd.AddTo(ref Unsafe.Add(ref sums, 8), a2);
                Simd.AddTo(ref Unsafe.Add(ref sums, 12), a3);
            }
        }
        else
        {
            // No SIMD: each product is exact in double, so the scalar path sums in double throughout.
            for (int k = 0; k < columns; k++)
            {
                double xk = Unsafe.Add(ref x, k);
                ref float wk = ref Unsafe.Add(ref w, k * PanelWidth);
                for (int l = 0; l < PanelWidth; l++)
                {
                    Unsafe.Add(ref sums, l) += Unsafe.Add(ref wk, l) * xk;
                }
            }
        }
    }

    /// <summary>
    /// One sample times four consecutive panels (64 outputs): four independent chains per lane
    /// hide the multiply-add latency, where one panel alone would wait on its single chain.
    /// </summary>
    private static void FourPanels(ref float w, ref float x, int columns, ref double sums)
    {
        int stride = columns * PanelWidth;
        ref float w0 = ref w;
        ref float w1 = ref Unsafe.Add(ref w, stride);
        ref float w2 = ref Unsafe.Add(ref w, 2 * stride);
        ref float w3 = ref Unsafe.Add(ref w, 3 * stride);
        if (Vector512.IsHardwareAccelerated)
        {
            for (int k = 0; k < columns; k += BlockLength)
            {
                int end = Math.Min(columns, k + BlockLength);
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int j = k; j < end; j++)
                {
                    var xj = Vector512.Create(Unsafe.Add(ref x, j));
                    a0 = Simd.MultiplyAdd(Load512(ref w0, j), xj, a0);
                    a1 = Simd.MultiplyAdd(Load512(ref w1, j), xj, a1);
                    a2 = Simd.MultiplyAdd(Load512(ref w2, j), xj, a2);
                    a3 = Simd.MultiplyAdd(Load512(ref w3, j), xj, a3);
                }

                Simd.AddTo(ref sums, a0);
                Simd.AddTo(ref Unsafe.Add(ref sums, 16), a1);
                Simd.AddTo(ref Unsafe.Add(ref sums, 32), a2);
                Simd.AddTo(ref Unsafe.Add(ref sums, 48), a3);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (int k = 0; k < columns; k += BlockLength)
            {
                int end = Math.Min(columns, k + BlockLength);
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
                for (int j = k; j < end; j++)
                {
                    var xj = Vector256.Create(Unsafe.Add(ref x, j));
                    a0 = Simd.MultiplyAdd(Load256(ref w0, j, 0), xj, a0);
                    b0 = Simd.MultiplyAdd(Load256(ref w0, j, 8), xj, b0);
                    a1 = Simd.MultiplyAdd(Load256(ref w1, j, 0), xj, a1);
                    b1 = Simd.MultiplyAdd(Load256(ref w1, j, 8), xj, b1);
                    a2 = Simd.MultiplyAdd(Load256(ref w2, j, 0), xj, a2);
                    b2 = Simd.MultiplyAdd(Load256(ref w2, j, 8), xj, b2);
                    a3 = Simd.MultiplyAdd(Load256(ref w3, j, 0), xj, a3);
                    b3 = Simd.MultiplyAdd(Load256(ref w3, j, 8), xj, b3);
                }

                Simd.AddTo(ref sums, a0);
                Simd.AddTo(ref Unsafe.Add(ref sums, 8), b0);
                Simd.AddTo(ref Unsafe.Add(ref sums, 16), a1);
                Simd.AddTo(ref Unsafe.Add(ref sums, 24), b1);
                Simd.AddTo(ref Unsafe.Add(ref sums, 32), a2);
                Simd.AddTo(ref Unsafe.Add(ref sums, 40), b2);
                Simd.AddTo(ref Unsafe.Add(ref sums, 48), a3);
                Simd.AddTo(ref Unsafe.Add(ref sums, 56), b3);
            }
        }
        else
        {
            // Four quarters per panel already give Vector128 four chains; scalar code sums in double.
            for (int p = 0; p < 4; p++)
            {
                PanelRow(ref Unsafe.Add(ref w, p * stride), ref x, columns, ref Unsafe.Add(ref sums, p * PanelWidth));
            }
        }
    }

    /// <summary>
    /// Eight samples times one panel (AVX-512): eight float accumulators, one weight load per
    /// column, and the double sums kept in registers (24 of the 32 vector registers).
    /// </summary>
    private static void Tile512(ref float w, ref float x, int columns, ref double tile)
    {
        ref float x0 = ref x;
        ref float x1 = ref Unsafe.Add(ref x, columns);
        ref float x2 = ref Unsafe.Add(ref x, 2 * columns);
        ref float x3 = ref Unsafe.Add(ref x, 3 * columns);
        ref float x4 = ref Unsafe.Add(ref x, 4 * columns);
        ref float x5 = ref Unsafe.Add(ref x, 5 * columns);
        ref float x6 = ref Unsafe.Add(ref x, 6 * columns);
        ref float x7 = ref Unsafe.Add(ref x, 7 * columns);
        Vector512<double> d0 = default, e0 = default, d1 = default, e1 = default, d2 = default, e2 = default, d3 = default, e3 = default;
        Vector512<double> d4 = default, e4 = default, d5 = default, e5 = default, d6 = default, e6 = default, d7 = default, e7 = default;
        for (int k = 0; k < columns; k += BlockLength)
        {
            int end = Math.Min(columns, k + BlockLength);
            Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            for (int j = k; j < end; j++)
            {
                var wj = Load512(ref w, j);
                c0 = Simd.MultiplyAdd(wj, Vector512.Create(Unsafe.Add(ref x0, j)), c0);
                c1 = Simd.MultiplyAdd(wj, Vector512.Create(Unsafe.Add(ref x1, j)), c1);
                c2 = Simd.MultiplyAdd(wj, Vector512.Create(Unsafe.Add(ref x2, j)), c2);
                c3 = Simd.MultiplyAdd(wj, Vector512.Create(Unsafe.Add(ref x3, j)), c3);
                c4 = Simd.MultiplyAdd(wj, Vector512.Create(Unsafe.Add(ref x4, j)), c4);
                c5 = Simd.MultiplyAdd(wj, Vector512.Create(Unsafe.Add(ref x5, j)), c5);
                c6 = Simd.MultiplyAdd(wj, Vector512.Create(Unsafe.Add(ref x6, j)), c6);
                c7 = Simd.MultiplyAdd(wj, Vector512.Create(Unsafe.Add(ref x7, j)), c7);
            }

            Accumulate(c0, ref d0, ref e0);
            Accumulate(c1, ref d1, ref e1);
            Accumulate(c2, ref d2, ref e2);
            Accumulate(c3, ref d3, ref e3);
            Accumulate(c4, ref d4, ref e4);
            Accumulate(c5, ref d5, ref e5);
            Accumulate(c6, ref d6, ref e6);
            Accumulate(c7, ref d7, ref e7);
        }

        Store(ref tile, 0, d0, e0);
        Store(ref tile, 16, d1, e1);
        Store(ref tile, 32, d2, e2);
        Store(ref tile, 48, d3, e3);
        Store(ref tile, 64, d4, e4);
        Store(ref tile, 80, d5, e5);
        Store(ref tile, 96, d6, e6);
        Store(ref tile, 112, d7, e7);
    }

    /// <summary>
    /// Eight samples times two panels: 16 float accumulators, one chain of fused multiply-adds
    /// per output and block, each block's sums added in double to <paramref name="tile"/>
    /// (sample <c>i</c>'s 32 outputs at <c>32 i</c>), which the caller clears. The same order as
    /// every other kernel, so the bits match <see cref="Tile512"/> and <see cref="PanelRow"/>.
    /// </summary>
    /// <remarks>
    /// The double sums live in the tile's memory, not in registers: 16 accumulators, two weight
    /// vectors and a broadcast leave no room for 32 double vectors, and the block's load-add-store
    /// runs beside the next block's FMAs.
    /// </remarks>
    private static void TilePair512(ref float w0, ref float w1, ref float x, int columns, ref double tile)
    {
        ref float x1 = ref Unsafe.Add(ref x, columns);
        ref float x2 = ref Unsafe.Add(ref x, 2 * columns);
        ref float x3 = ref Unsafe.Add(ref x, 3 * columns);
        ref float x4 = ref Unsafe.Add(ref x, 4 * columns);
        ref float x5 = ref Unsafe.Add(ref x, 5 * columns);
        ref float x6 = ref Unsafe.Add(ref x, 6 * columns);
        ref float x7 = ref Unsafe.Add(ref x, 7 * columns);
        for (int k = 0; k < columns; k += BlockLength)
        {
            int end = Math.Min(columns, k + BlockLength);
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
            for (int j = k; j < end; j++)
            {
                var u = Load512(ref w0, j);
                var v = Load512(ref w1, j);
                var s = Vector512.Create(Unsafe.Add(ref x, j));
                a0 = Simd.MultiplyAdd(u, s, a0);
                b0 = Simd.MultiplyAdd(v, s, b0);
                s = Vector512.Create(Unsafe.Add(ref x1, j));
                a1 = Simd.MultiplyAdd(u, s, a1);
                b1 = Simd.MultiplyAdd(v, s, b1);
                s = Vector512.Create(Unsafe.Add(ref x2, j));
                a2 = Simd.MultiplyAdd(u, s, a2);
                b2 = Simd.MultiplyAdd(v, s, b2);
                s = Vector512.Create(Unsafe.Add(ref x3, j));
                a3 = Simd.MultiplyAdd(u, s, a3);
                b3 = Simd.MultiplyAdd(v, s, b3);
                s = Vector512.Create(Unsafe.Add(ref x4, j));
                a4 = Simd.MultiplyAdd(u, s, a4);
                b4 = Simd.MultiplyAdd(v, s, b4);
                s = Vector512.Create(Unsafe.Add(ref x5, j));
                a5 = Simd.MultiplyAdd(u, s, a5);
                b5 = Simd.MultiplyAdd(v, s, b5);
                s = Vector512.Create(Unsafe.Add(ref x6, j));
                a6 = Simd.MultiplyAdd(u, s, a6);
                b6 = Simd.MultiplyAdd(v, s, b6);
                s = Vector512.Create(Unsafe.Add(ref x7, j));
                a7 = Simd.MultiplyAdd(u, s, a7);
                b7 = Simd.MultiplyAdd(v, s, b7);
            }

            Simd.AddTo(ref tile, a0);
            Simd.AddTo(ref Unsafe.Add(ref tile, 16), b0);
            Simd.AddTo(ref Unsafe.Add(ref tile, 32), a1);
            Simd.AddTo(ref Unsafe.Add(ref tile, 48), b1);
            Simd.AddTo(ref Unsafe.Add(ref tile, 64), a2);
            Simd.AddTo(ref Unsafe.Add(ref tile, 80), b2);
            Simd.AddTo(ref Unsafe.Add(ref tile, 96), a3);
            Simd.AddTo(ref Unsafe.Add(ref tile, 112), b3);
            Simd.AddTo(ref Unsafe.Add(ref tile, 128), a4);
            Simd.AddTo(ref Unsafe.Add(ref tile, 144), b4);
            Simd.AddTo(ref Unsafe.Add(ref tile, 160), a5);
            Simd.AddTo(ref Unsafe.Add(ref tile, 176), b5);
            Simd.AddTo(ref Unsafe.Add(ref tile, 192), a6);
            Simd.AddTo(ref Unsafe.Add(ref tile, 208), b6);
            Simd.AddTo(ref Unsafe.Add(ref tile, 224), a7);
            Simd.AddTo(ref Unsafe.Add(ref tile, 240), b7);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(Vector512<float> sum, ref Vector512<double> low, ref Vector512<double> high)
    {
        var (lo, hi) = Vector512.Widen(sum);
        low += lo;
        high += hi;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref double tile, int offset, Vector512<double> low, Vector512<double> high)
    {
        low.StoreUnsafe(ref tile, (nuint)offset);
        high.StoreUnsafe(ref tile, (nuint)(offset + 8));
    }

    /// <summary>Four samples times one panel (AVX2): eight accumulators, two weight loads per column.</summary>
    private static void Tile256(ref float w, ref float x, int columns, ref double tile)
    {
        ref float x0 = ref x;
        ref float x1 = ref Unsafe.Add(ref x, columns);
        ref float x2 = ref Unsafe.Add(ref x, 2 * columns);
        ref float x3 = ref Unsafe.Add(ref x, 3 * columns);
        for (int k = 0; k < columns; k += BlockLength)
        {
            int end = Math.Min(columns, k + BlockLength);
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
            for (int j = k; j < end; j++)
            {
                var lo = Load256(ref w, j, 0);
                var hi = Load256(ref w, j, 8);
                var v0 = Vector256.Create(Unsafe.Add(ref x0, j));
                var v1 = Vector256.Create(Unsafe.Add(ref x1, j));
                var v2 = Vector256.Create(Unsafe.Add(ref x2, j));
                var v3 = Vector256.Create(Unsafe.Add(ref x3, j));
                a0 = Simd.MultiplyAdd(lo, v0, a0);
                b0 = Simd.MultiplyAdd(hi, v0, b0);
                a1 = Simd.MultiplyAdd(lo, v1, a1);
                b1 = Simd.MultiplyAdd(hi, v1, b1);
                a2 = Simd.MultiplyAdd(lo, v2, a2);
                b2 = Simd.MultiplyAdd(hi, v2, b2);
                a3 = Simd.MultiplyAdd(lo, v3, a3);
                b3 = Simd.MultiplyAdd(hi, v3, b3);
            }

            Simd.AddTo(ref tile, a0);
            Simd.AddTo(ref Unsafe.Add(ref tile, 8), b0);
            Simd.AddTo(ref Unsafe.Add(ref tile, 16), a1);
            Simd.AddTo(ref Unsafe.Add(ref tile, 24), b1);
            Simd.AddTo(ref Unsafe.Add(ref tile, 32), a2);
            Simd.AddTo(ref Unsafe.Add(ref tile, 40), b2);
            Simd.AddTo(ref Unsafe.Add(ref tile, 48), a3);
            Simd.AddTo(ref Unsafe.Add(ref tile, 56), b3);
        }
    }

    /// <summary>Two samples times one panel (SSE/NEON): eight accumulators, four weight loads per column.</summary>
    private static void Tile128(ref float w, ref float x, int columns, ref double tile)
    {
        ref float x0 = ref x;
        ref float x1 = ref Unsafe.Add(ref x, columns);
        for (int k = 0; k < columns; k += BlockLength)
        {
            int end = Math.Min(columns, k + BlockLength);
            Vector128<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
            for (int j = k; j < end; j++)
            {
                var w0 = Load128(ref w, j, 0);
                var w1 = Load128(ref w, j, 4);
                var w2 = Load128(ref w, j, 8);
                var w3 = Load128(ref w, j, 12);
                var v0 = Vector128.Create(Unsafe.Add(ref x0, j));
                var v1 = Vector128.Create(Unsafe.Add(ref x1, j));
                a0 = Simd.MultiplyAdd(w0, v0, a0);
                a1 = Simd.MultiplyAdd(w1, v0, a1);
                a2 = Simd.MultiplyAdd(w2, v0, a2);
                a3 = Simd.MultiplyAdd(w3, v0, a3);
                b0 = Simd.MultiplyAdd(w0, v1, b0);
                b1 = Simd.MultiplyAdd(w1, v1, b1);
                b2 = Simd.MultiplyAdd(w2, v1, b2);
                b3 = Simd.MultiplyAdd(w3, v1, b3);
            }

            Simd.AddTo(ref tile, a0);
            Simd.AddTo(ref Unsafe.Add(ref tile, 4), a1);
            Simd.AddTo(ref Unsafe.Add(ref tile, 8), a2);
            Simd.AddTo(ref Unsafe.Add(ref tile, 12), a3);
            Simd.AddTo(ref Unsafe.Add(ref tile, 16), b0);
            Simd.AddTo(ref Unsafe.Add(ref tile, 20), b1);
            Simd.AddTo(ref Unsafe.Add(ref tile, 24), b2);
            Simd.AddTo(ref Unsafe.Add(ref tile, 28), b3);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Load512(ref float w, int column) => Vector512.LoadUnsafe(ref w, (nuint)column * PanelWidth);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Load256(ref float w, int column, int lane) => Vector256.LoadUnsafe(ref w, ((nuint)column * PanelWidth) + (nuint)lane);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Load128(ref float w, int column, int lane) => Vector128.LoadUnsafe(ref w, ((nuint)column * PanelWidth) + (nuint)lane);
}
