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

        Span<double> tile = stackalloc double[8 * 2 * PanelWidth];
        ref float w = ref MemoryMarshal.GetReference(packed);
        ref float rx = ref MemoryMarshal.GetReference(x);
        int row = 0;
#if NET8_0_OR_GREATER
        if (Vector512.IsHardwareAccelerated)
        {
            // Two panels at a time: each broadcast input feeds 16 independent FMA chains, not 8
            // (faster on N3's layers: benchmarks/README.md, The kernels' block length).
            for (; row + PanelWidth < rows; row += 2 * PanelWidth)
            {
                PanelPair(ref Unsafe.Add(ref w, row * columns), bias, x, y, columns, rows, row, samples, tile, epilogue);
            }
        }
#endif

        for (; row < rows; row += PanelWidth)
        {
            ref float panel = ref Unsafe.Add(ref w, row * columns);
            int width = Math.Min(PanelWidth, rows - row);
            int sample = 0;
#if NET8_0_OR_GREATER
            ref double t = ref MemoryMarshal.GetReference(tile);
            if (Vector512.IsHardwareAccelerated)
            {
                for (; sample <= samples - 8; sample += 8)
                {
                    tile.Clear();
                    Tile512(ref panel, ref Unsafe.Add(ref rx, sample * columns), columns, ref t);
                    StoreTile(tile, 8, bias, y, row, sample, rows, width, epilogue);
                }
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                // Tiles of 6, then of 4 and 3, so that no sample of a batch of 3 or more runs
                // alone (one sample has two chains, a quarter of the tiles' rate): 32 = 4·6 + 4 + 4.
                int sixes = samples / 6;
                if (sixes > 0 && samples % 6 is 1 or 2 or 5)
                {
                    sixes--;
                }

                for (; sample < 6 * sixes; sample += 6)
                {
                    tile.Clear();
                    Tile6x256(ref panel, ref Unsafe.Add(ref rx, sample * columns), columns, ref t);
                    StoreTile(tile, 6, bias, y, row, sample, rows, width, epilogue);
                }

                for (; sample <= samples - 4; sample += 4)
                {
                    tile.Clear();
                    Tile256(ref panel, ref Unsafe.Add(ref rx, sample * columns), columns, ref t);
                    StoreTile(tile, 4, bias, y, row, sample, rows, width, epilogue);
                }

                if (sample == samples - 3)
                {
                    tile.Clear();
                    Tile3x256(ref panel, ref Unsafe.Add(ref rx, sample * columns), columns, ref t);
                    StoreTile(tile, 3, bias, y, row, sample, rows, width, epilogue);
                    sample += 3;
                }
            }
            else if (Vector128.IsHardwareAccelerated)
            {
                for (; sample <= samples - 2; sample += 2)
                {
                    tile.Clear();
                    Tile128(ref panel, ref Unsafe.Add(ref rx, sample * columns), columns, ref t);
                    StoreTile(tile, 2, bias, y, row, sample, rows, width, epilogue);
                }
            }
#endif

            for (; sample < samples; sample++)
            {
                Span<double> sums = tile.Slice(0, PanelWidth);
                sums.Clear();
                PanelRow(ref panel, ref Unsafe.Add(ref rx, sample * columns), columns, ref MemoryMarshal.GetReference(sums));
                Simd.StorePanel(sums, bias, y, row, sample * rows, width, epilogue);
            }
        }
    }

    /// <summary>Writes a tile's sums (sample <c>i</c>'s panel at <c>16 i</c>) to the outputs of <paramref name="count"/> samples from <paramref name="sample"/> on.</summary>
    private static void StoreTile(ReadOnlySpan<double> tile, int count, ReadOnlySpan<float> bias, Span<float> y, int row, int sample, int rows, int width, Epilogue epilogue)
    {
        for (int i = 0; i < count; i++)
        {
            Simd.StorePanel(tile.Slice(i * PanelWidth, PanelWidth), bias, y, row, (sample + i) * rows, width, epilogue);
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
}
