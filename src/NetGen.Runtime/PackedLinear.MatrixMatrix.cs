#if NET8_0_OR_GREATER
using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
#endif

namespace NetGen.Runtime;

/// <summary>The matrix-matrix kernels: tiles of samples through one or two panels over a block of columns, for every vector width (.NET 8 and later; the netstandard2.1 build runs each sample through <see cref="PanelRow"/>).</summary>
public static partial class PackedLinear
{
#if NET8_0_OR_GREATER
    /// <summary>
    /// Eight samples times one panel (AVX-512): eight float accumulators, one weight load per
    /// column, and the double sums kept in registers (24 of the 32 vector registers).
    /// </summary>
    private static void Tile512(ref float w, ref float x, int columns, int count, ref double tile)
    {
        ref float x0 = ref x;
        ref float x1 = ref Unsafe.Add(ref x, columns);
        ref float x2 = ref Unsafe.Add(ref x, 2 * columns);
        ref float x3 = ref Unsafe.Add(ref x, 3 * columns);
        ref float x4 = ref Unsafe.Add(ref x, 4 * columns);
        ref float x5 = ref Unsafe.Add(ref x, 5 * columns);
        ref float x6 = ref Unsafe.Add(ref x, 6 * columns);
        ref float x7 = ref Unsafe.Add(ref x, 7 * columns);
        var (d0, e0) = Load(ref tile, 0);
        var (d1, e1) = Load(ref tile, 16);
        var (d2, e2) = Load(ref tile, 32);
        var (d3, e3) = Load(ref tile, 48);
        var (d4, e4) = Load(ref tile, 64);
        var (d5, e5) = Load(ref tile, 80);
        var (d6, e6) = Load(ref tile, 96);
        var (d7, e7) = Load(ref tile, 112);
        for (int k = 0; k < count; k += BlockLength)
        {
            int end = Math.Min(count, k + BlockLength);
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
    private static void TilePair512(ref float w0, ref float w1, ref float x, int columns, int count, ref double tile)
    {
        ref float x1 = ref Unsafe.Add(ref x, columns);
        ref float x2 = ref Unsafe.Add(ref x, 2 * columns);
        ref float x3 = ref Unsafe.Add(ref x, 3 * columns);
        ref float x4 = ref Unsafe.Add(ref x, 4 * columns);
        ref float x5 = ref Unsafe.Add(ref x, 5 * columns);
        ref float x6 = ref Unsafe.Add(ref x, 6 * columns);
        ref float x7 = ref Unsafe.Add(ref x, 7 * columns);
        for (int k = 0; k < count; k += BlockLength)
        {
            int end = Math.Min(count, k + BlockLength);
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

    /// <summary>
    /// Twelve samples times two panels (AVX-512): 24 float accumulators, two weight vectors and a
    /// broadcast, 27 of the 32 vector registers. Per column two weight loads and twelve broadcasts
    /// feed 24 fused multiply-adds, against ten loads for sixteen in <see cref="TilePair512"/>.
    /// The same order as every other kernel (sample <c>i</c>'s 32 sums at <c>32 i</c>).
    /// </summary>
    private static void Tile12Pair512(ref float w0, ref float w1, ref float x, int columns, int count, ref double tile)
    {
        ref float x1 = ref Unsafe.Add(ref x, 1 * columns);
        ref float x2 = ref Unsafe.Add(ref x, 2 * columns);
        ref float x3 = ref Unsafe.Add(ref x, 3 * columns);
        ref float x4 = ref Unsafe.Add(ref x, 4 * columns);
        ref float x5 = ref Unsafe.Add(ref x, 5 * columns);
        ref float x6 = ref Unsafe.Add(ref x, 6 * columns);
        ref float x7 = ref Unsafe.Add(ref x, 7 * columns);
        ref float x8 = ref Unsafe.Add(ref x, 8 * columns);
        ref float x9 = ref Unsafe.Add(ref x, 9 * columns);
        ref float x10 = ref Unsafe.Add(ref x, 10 * columns);
        ref float x11 = ref Unsafe.Add(ref x, 11 * columns);
        for (int k = 0; k < count; k += BlockLength)
        {
            int end = Math.Min(count, k + BlockLength);
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
            Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default, b8 = default, b9 = default, b10 = default, b11 = default;
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
                s = Vector512.Create(Unsafe.Add(ref x8, j));
                a8 = Simd.MultiplyAdd(u, s, a8);
                b8 = Simd.MultiplyAdd(v, s, b8);
                s = Vector512.Create(Unsafe.Add(ref x9, j));
                a9 = Simd.MultiplyAdd(u, s, a9);
                b9 = Simd.MultiplyAdd(v, s, b9);
                s = Vector512.Create(Unsafe.Add(ref x10, j));
                a10 = Simd.MultiplyAdd(u, s, a10);
                b10 = Simd.MultiplyAdd(v, s, b10);
                s = Vector512.Create(Unsafe.Add(ref x11, j));
                a11 = Simd.MultiplyAdd(u, s, a11);
                b11 = Simd.MultiplyAdd(v, s, b11);
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
            Simd.AddTo(ref Unsafe.Add(ref tile, 256), a8);
            Simd.AddTo(ref Unsafe.Add(ref tile, 272), b8);
            Simd.AddTo(ref Unsafe.Add(ref tile, 288), a9);
            Simd.AddTo(ref Unsafe.Add(ref tile, 304), b9);
            Simd.AddTo(ref Unsafe.Add(ref tile, 320), a10);
            Simd.AddTo(ref Unsafe.Add(ref tile, 336), b10);
            Simd.AddTo(ref Unsafe.Add(ref tile, 352), a11);
            Simd.AddTo(ref Unsafe.Add(ref tile, 368), b11);
        }
    }

    /// <summary>Four samples times two panels (AVX-512): eight accumulators, for the end of a batch.</summary>
    private static void Tile4Pair512(ref float w0, ref float w1, ref float x, int columns, int count, ref double tile)
    {
        ref float x1 = ref Unsafe.Add(ref x, 1 * columns);
        ref float x2 = ref Unsafe.Add(ref x, 2 * columns);
        ref float x3 = ref Unsafe.Add(ref x, 3 * columns);
        for (int k = 0; k < count; k += BlockLength)
        {
            int end = Math.Min(count, k + BlockLength);
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;
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
            }

            Simd.AddTo(ref tile, a0);
            Simd.AddTo(ref Unsafe.Add(ref tile, 16), b0);
            Simd.AddTo(ref Unsafe.Add(ref tile, 32), a1);
            Simd.AddTo(ref Unsafe.Add(ref tile, 48), b1);
            Simd.AddTo(ref Unsafe.Add(ref tile, 64), a2);
            Simd.AddTo(ref Unsafe.Add(ref tile, 80), b2);
            Simd.AddTo(ref Unsafe.Add(ref tile, 96), a3);
            Simd.AddTo(ref Unsafe.Add(ref tile, 112), b3);
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
    private static (Vector512<double> Low, Vector512<double> High) Load(ref double tile, int offset) =>
        (Vector512.LoadUnsafe(ref tile, (nuint)offset), Vector512.LoadUnsafe(ref tile, (nuint)(offset + 8)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref double tile, int offset, Vector512<double> low, Vector512<double> high)
    {
        low.StoreUnsafe(ref tile, (nuint)offset);
        high.StoreUnsafe(ref tile, (nuint)(offset + 8));
    }

    /// <summary>
    /// Six samples times one panel (AVX2): twelve float accumulators, two weight vectors and one
    /// broadcast, 15 of the 16 vector registers. Twelve independent chains cover the
    /// multiply-add's latency times its two ports (8 on Intel's cores, 10 on Zen 3's), so the
    /// loop issues two fused multiply-adds every cycle; per column it loads two weight vectors
    /// and six broadcasts, within two loads a cycle.
    /// </summary>
    private static void Tile6x256(ref float w, ref float x, int columns, int count, ref double tile)
    {
        ref float x1 = ref Unsafe.Add(ref x, columns);
        ref float x2 = ref Unsafe.Add(ref x, 2 * columns);
        ref float x3 = ref Unsafe.Add(ref x, 3 * columns);
        ref float x4 = ref Unsafe.Add(ref x, 4 * columns);
        ref float x5 = ref Unsafe.Add(ref x, 5 * columns);
        for (int k = 0; k < count; k += BlockLength)
        {
            int end = Math.Min(count, k + BlockLength);
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
            Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default;
            for (int j = k; j < end; j++)
            {
                var lo = Load256(ref w, j, 0);
                var hi = Load256(ref w, j, 8);
                var s = Vector256.Create(Unsafe.Add(ref x, j));
                a0 = Simd.MultiplyAdd(lo, s, a0);
                b0 = Simd.MultiplyAdd(hi, s, b0);
                s = Vector256.Create(Unsafe.Add(ref x1, j));
                a1 = Simd.MultiplyAdd(lo, s, a1);
                b1 = Simd.MultiplyAdd(hi, s, b1);
                s = Vector256.Create(Unsafe.Add(ref x2, j));
                a2 = Simd.MultiplyAdd(lo, s, a2);
                b2 = Simd.MultiplyAdd(hi, s, b2);
                s = Vector256.Create(Unsafe.Add(ref x3, j));
                a3 = Simd.MultiplyAdd(lo, s, a3);
                b3 = Simd.MultiplyAdd(hi, s, b3);
                s = Vector256.Create(Unsafe.Add(ref x4, j));
                a4 = Simd.MultiplyAdd(lo, s, a4);
                b4 = Simd.MultiplyAdd(hi, s, b4);
                s = Vector256.Create(Unsafe.Add(ref x5, j));
                a5 = Simd.MultiplyAdd(lo, s, a5);
                b5 = Simd.MultiplyAdd(hi, s, b5);
            }

            Simd.AddTo(ref tile, a0);
            Simd.AddTo(ref Unsafe.Add(ref tile, 8), b0);
            Simd.AddTo(ref Unsafe.Add(ref tile, 16), a1);
            Simd.AddTo(ref Unsafe.Add(ref tile, 24), b1);
            Simd.AddTo(ref Unsafe.Add(ref tile, 32), a2);
            Simd.AddTo(ref Unsafe.Add(ref tile, 40), b2);
            Simd.AddTo(ref Unsafe.Add(ref tile, 48), a3);
            Simd.AddTo(ref Unsafe.Add(ref tile, 56), b3);
            Simd.AddTo(ref Unsafe.Add(ref tile, 64), a4);
            Simd.AddTo(ref Unsafe.Add(ref tile, 72), b4);
            Simd.AddTo(ref Unsafe.Add(ref tile, 80), a5);
            Simd.AddTo(ref Unsafe.Add(ref tile, 88), b5);
        }
    }

    /// <summary>Four samples times one panel (AVX2): eight accumulators.</summary>
    private static void Tile256(ref float w, ref float x, int columns, int count, ref double tile)
    {
        ref float x0 = ref x;
        ref float x1 = ref Unsafe.Add(ref x, columns);
        ref float x2 = ref Unsafe.Add(ref x, 2 * columns);
        ref float x3 = ref Unsafe.Add(ref x, 3 * columns);
        for (int k = 0; k < count; k += BlockLength)
        {
            int end = Math.Min(count, k + BlockLength);
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

    /// <summary>Three samples times one panel (AVX2), for the end of a batch: six accumulators.</summary>
    private static void Tile3x256(ref float w, ref float x, int columns, int count, ref double tile)
    {
        ref float x1 = ref Unsafe.Add(ref x, columns);
        ref float x2 = ref Unsafe.Add(ref x, 2 * columns);
        for (int k = 0; k < count; k += BlockLength)
        {
            int end = Math.Min(count, k + BlockLength);
            Vector256<float> a0 = default, a1 = default, a2 = default, b0 = default, b1 = default, b2 = default;
            for (int j = k; j < end; j++)
            {
                var lo = Load256(ref w, j, 0);
                var hi = Load256(ref w, j, 8);
                var s = Vector256.Create(Unsafe.Add(ref x, j));
                a0 = Simd.MultiplyAdd(lo, s, a0);
                b0 = Simd.MultiplyAdd(hi, s, b0);
                s = Vector256.Create(Unsafe.Add(ref x1, j));
                a1 = Simd.MultiplyAdd(lo, s, a1);
                b1 = Simd.MultiplyAdd(hi, s, b1);
                s = Vector256.Create(Unsafe.Add(ref x2, j));
                a2 = Simd.MultiplyAdd(lo, s, a2);
                b2 = Simd.MultiplyAdd(hi, s, b2);
            }

            Simd.AddTo(ref tile, a0);
            Simd.AddTo(ref Unsafe.Add(ref tile, 8), b0);
            Simd.AddTo(ref Unsafe.Add(ref tile, 16), a1);
            Simd.AddTo(ref Unsafe.Add(ref tile, 24), b1);
            Simd.AddTo(ref Unsafe.Add(ref tile, 32), a2);
            Simd.AddTo(ref Unsafe.Add(ref tile, 40), b2);
        }
    }

    /// <summary>Two samples times one panel (SSE/NEON): eight accumulators, four weight loads per column.</summary>
    private static void Tile128(ref float w, ref float x, int columns, int count, ref double tile)
    {
        ref float x0 = ref x;
        ref float x1 = ref Unsafe.Add(ref x, columns);
        for (int k = 0; k < count; k += BlockLength)
        {
            int end = Math.Min(count, k + BlockLength);
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
#endif
}
