using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
#endif

namespace NetGen.Runtime;

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
/// <c>Vector512&lt;T&gt;</c>, two <c>Vector256&lt;T&gt;</c> or four <c>Vector128&lt;T&gt;</c>.
/// The generator packs weights at build time (<see cref="Pack"/> does the same at run time).
/// </para>
/// <para>
/// <b>Accuracy.</b> Products are accumulated in float32, with fused multiply-add where the
/// hardware has it, over blocks of <see cref="BlockLength"/> columns; each block's sum is then
/// added in double. A float32 sum's rounding error grows with the number of terms in one chain,
/// so this bounds it by the block length (64 terms) rather than by the layer's width, at the
/// cost of one widening add per 64 columns. Every kernel sums an output in this same order, so
/// a sample gives the same bits alone (<see cref="Forward"/>) and in a batch (<see cref="ForwardBatch"/>).
/// The block length trades accuracy for speed: on the harsh single layers (weights and inputs
/// in [-3, 3], up to 300 wide) blocks of 32 and 64 columns leave 5 and 54 of 234,027 outputs
/// over the format's bound, PyTorch's float32 <c>linear</c> 111 of 225,285, and blocks of 128
/// more than PyTorch; shorter blocks cost the batch kernels speed, because the widening and the
/// double add at the end of each block share the vector units with the multiply-adds. Blocks of
/// 64 run N2's and N3's batches 5 to 13% faster than blocks of 32 (<c>README.md</c>, <i>Accuracy</i>).
/// </para>
/// </remarks>
public static partial class PackedLinear
{
    /// <summary>The number of weight rows in one panel.</summary>
    public const int PanelWidth = Contract.PanelWidth;

    /// <summary>The number of columns summed in float32 before the partial sum is added in double.</summary>
    public const int BlockLength = Contract.BlockLength;

    /// <summary>
    /// The columns of a panel that <see cref="ForwardBatch"/>'s tiles share while they are in L1:
    /// 16 KB of one panel, 32 KB of two, a whole number of <see cref="BlockLength"/> blocks, so
    /// the sums keep their order and their bits.
    /// </summary>
    private const int ColumnBlock = 4 * BlockLength;

    /// <summary>The samples <see cref="ForwardBatch"/> runs through a panel together: 48, 12 KB of double sums on the stack.</summary>
    private const int SampleChunk = 48;

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

        // The sums of a chunk of samples for one panel (or two, with AVX-512), filled a block of
        // columns at a time: every tile of the chunk runs over a block of the panel while it is
        // in L1, and the panel streams from L2 or L3 once per chunk, at an even rate.
        Span<double> sums = stackalloc double[SampleChunk * 2 * PanelWidth];
        ref float w = ref MemoryMarshal.GetReference(packed);
        for (int first = 0; first < samples; first += SampleChunk)
        {
            int count = Math.Min(SampleChunk, samples - first);
            ref float xs = ref Unsafe.Add(ref MemoryMarshal.GetReference(x), first * columns);
            int row = 0;
#if NET8_0_OR_GREATER
            if (Vector512.IsHardwareAccelerated)
            {
                // Two panels at a time: each broadcast input feeds two FMA chains, not one.
                for (; row + PanelWidth < rows; row += 2 * PanelWidth)
                {
                    ref float panel = ref Unsafe.Add(ref w, row * columns);
                    sums.Clear();
                    for (int k = 0; k < columns; k += ColumnBlock)
                    {
                        PanelPairBlock(ref Unsafe.Add(ref panel, k * PanelWidth), ref Unsafe.Add(ref panel, (columns + k) * PanelWidth), ref Unsafe.Add(ref xs, k), columns, Math.Min(ColumnBlock, columns - k), count, sums);
                    }

                    int width = Math.Min(PanelWidth, rows - row - PanelWidth);
                    for (int i = 0; i < count; i++)
                    {
                        Simd.StorePanel(sums.Slice(i * 2 * PanelWidth, PanelWidth), bias, y, row, (first + i) * rows, PanelWidth, epilogue);
                        Simd.StorePanel(sums.Slice(((i * 2) + 1) * PanelWidth, PanelWidth), bias, y, row + PanelWidth, (first + i) * rows, width, epilogue);
                    }
                }
            }
#endif

            for (; row < rows; row += PanelWidth)
            {
                ref float panel = ref Unsafe.Add(ref w, row * columns);
                sums.Clear();
                for (int k = 0; k < columns; k += ColumnBlock)
                {
                    PanelBlock(ref Unsafe.Add(ref panel, k * PanelWidth), ref Unsafe.Add(ref xs, k), columns, Math.Min(ColumnBlock, columns - k), count, sums);
                }

                int width = Math.Min(PanelWidth, rows - row);
                for (int i = 0; i < count; i++)
                {
                    Simd.StorePanel(sums.Slice(i * PanelWidth, PanelWidth), bias, y, row, (first + i) * rows, width, epilogue);
                }
            }
        }
    }

    /// <summary>
    /// Adds one block of <paramref name="count"/> columns of one panel to the sums of
    /// <paramref name="samples"/> samples (sample <c>i</c>'s 16 at <c>16 i</c>); <paramref name="x"/>
    /// is the first sample's first column of the block, <paramref name="columns"/> apart.
    /// </summary>
    private static void PanelBlock(ref float w, ref float x, int columns, int count, int samples, Span<double> sums)
    {
        ref double s = ref MemoryMarshal.GetReference(sums);
        int sample = 0;
#if NET8_0_OR_GREATER
        if (Vector512.IsHardwareAccelerated)
        {
            for (; sample <= samples - 8; sample += 8)
            {
                Tile512(ref w, ref Unsafe.Add(ref x, sample * columns), columns, count, ref Unsafe.Add(ref s, sample * PanelWidth));
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            // Tiles of 6, then of 4 and 3, so that no sample of a batch of 3 or more runs alone
            // (one sample has two chains, a quarter of the tiles' rate): 32 = 4·6 + 4 + 4.
            int sixes = samples / 6;
            if (sixes > 0 && samples % 6 is 1 or 2 or 5)
            {
                sixes--;
            }

            for (; sample < 6 * sixes; sample += 6)
            {
                Tile6x256(ref w, ref Unsafe.Add(ref x, sample * columns), columns, count, ref Unsafe.Add(ref s, sample * PanelWidth));
            }

            for (; sample <= samples - 4; sample += 4)
            {
                Tile256(ref w, ref Unsafe.Add(ref x, sample * columns), columns, count, ref Unsafe.Add(ref s, sample * PanelWidth));
            }

            if (sample == samples - 3)
            {
                Tile3x256(ref w, ref Unsafe.Add(ref x, sample * columns), columns, count, ref Unsafe.Add(ref s, sample * PanelWidth));
                sample += 3;
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            for (; sample <= samples - 2; sample += 2)
            {
                Tile128(ref w, ref Unsafe.Add(ref x, sample * columns), columns, count, ref Unsafe.Add(ref s, sample * PanelWidth));
            }
        }
#endif

        for (; sample < samples; sample++)
        {
            PanelRow(ref w, ref Unsafe.Add(ref x, sample * columns), count, ref Unsafe.Add(ref s, sample * PanelWidth));
        }
    }

#if NET8_0_OR_GREATER
    /// <summary>
    /// <see cref="PanelBlock"/> for two adjacent panels (AVX-512): tiles of 12 samples, then of 8
    /// and 4, the rest one by one; sample <c>i</c>'s 32 sums at <c>32 i</c>. (Tiles of 12 and of
    /// 8 ran N2 and N3 at the same speed on a machine with two 512-bit FMA units; twelve need
    /// fewer loads per multiply-add, which machines that split 512-bit operations may feel.)
    /// </summary>
    private static void PanelPairBlock(ref float w0, ref float w1, ref float x, int columns, int count, int samples, Span<double> sums)
    {
        ref double s = ref MemoryMarshal.GetReference(sums);
        int sample = 0;
        for (; sample <= samples - 12; sample += 12)
        {
            Tile12Pair512(ref w0, ref w1, ref Unsafe.Add(ref x, sample * columns), columns, count, ref Unsafe.Add(ref s, sample * 2 * PanelWidth));
        }

        for (; sample <= samples - 8; sample += 8)
        {
            TilePair512(ref w0, ref w1, ref Unsafe.Add(ref x, sample * columns), columns, count, ref Unsafe.Add(ref s, sample * 2 * PanelWidth));
        }

        if (sample <= samples - 4)
        {
            Tile4Pair512(ref w0, ref w1, ref Unsafe.Add(ref x, sample * columns), columns, count, ref Unsafe.Add(ref s, sample * 2 * PanelWidth));
            sample += 4;
        }

        for (; sample < samples; sample++)
        {
            ref float xs = ref Unsafe.Add(ref x, sample * columns);
            PanelRow(ref w0, ref xs, count, ref Unsafe.Add(ref s, sample * 2 * PanelWidth));
            PanelRow(ref w1, ref xs, count, ref Unsafe.Add(ref s, ((sample * 2) + 1) * PanelWidth));
        }
    }
#endif

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
}
