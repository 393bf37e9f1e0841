using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen.Runtime;

/// <summary>
/// The matrix products of a backward pass, <c>C (+)= A · B</c> with <c>B</c> and <c>C</c> row-major
/// and <c>A</c> read through strides, so that one kernel computes both <c>dX = dY · W</c>
/// (A = dY as stored) and <c>dW += dYᵀ · X</c> (A = dY transposed, by its strides).
/// </summary>
/// <remarks>
/// <para>
/// Register tiles of 4 rows of <c>C</c> by 3 vectors (12 accumulators, 3 loads of <c>B</c> and 4
/// broadcasts of <c>A</c> per step: 16 registers on AVX2 and SSE), on <see cref="Vector{T}"/>, which
/// is 256 bits wide on AVX2 and AVX-512 machines alike, 128 on NEON and SSE, and which the
/// netstandard2.1 build (Unity) has too.
/// </para>
/// <para>
/// Accuracy: the sum over <c>k</c> runs in float32 chains of at most <see cref="BlockLength"/>
/// terms, each block's partial sums then added into <c>C</c>; a float32 chain over the whole of
/// <c>k</c> (a 784-wide layer's 784 terms) would grow its rounding error with <c>k</c>.
/// </para>
/// </remarks>
internal static class Gemm
{
    /// <summary>The terms summed in registers before a tile is added into <c>C</c>.</summary>
    public const int BlockLength = 64;

    private const int TileRows = 4;

    /// <summary>
    /// <c>C[m, n] = (accumulate ? C : 0) + Σ_p A[i, p] · B[p, n]</c>, where <c>A[i, p]</c> is
    /// <c>a[i · aRow + p · aColumn]</c>, <c>B[p, j]</c> is <c>b[p · ldb + j]</c> and <c>C[i, j]</c> is <c>c[i · ldc + j]</c>.
    /// </summary>
    public static void Multiply(ReadOnlySpan<float> a, int aRow, int aColumn, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, int m, int n, int k, bool accumulate)
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            if (!accumulate)
            {
                for (int i = 0; i < m; i++)
                {
                    c.Slice(i * ldc, n).Clear();
                }
            }

            return;
        }

        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rc = ref MemoryMarshal.GetReference(c);
        int width = Vector<float>.Count;
        for (int p0 = 0; p0 < k; p0 += BlockLength)
        {
            int depth = Math.Min(BlockLength, k - p0);
            bool add = accumulate || p0 > 0;
            ref float ab = ref Unsafe.Add(ref ra, p0 * aColumn);
            ref float bb = ref Unsafe.Add(ref rb, p0 * ldb);
            int i = 0;
            for (; i + TileRows <= m; i += TileRows)
            {
                ref float ai = ref Unsafe.Add(ref ab, i * aRow);
                ref float ci = ref Unsafe.Add(ref rc, i * ldc);
                int j = 0;
                for (; j + (3 * width) <= n; j += 3 * width)
                {
                    Tile4x3(ref ai, aRow, aColumn, ref Unsafe.Add(ref bb, j), ldb, ref Unsafe.Add(ref ci, j), ldc, depth, add);
                }

                for (; j + width <= n; j += width)
                {
                    Tile4x1(ref ai, aRow, aColumn, ref Unsafe.Add(ref bb, j), ldb, ref Unsafe.Add(ref ci, j), ldc, depth, add);
                }

                for (int r = 0; r < TileRows; r++)
                {
                    Scalar(ref Unsafe.Add(ref ai, r * aRow), aColumn, ref bb, ldb, ref Unsafe.Add(ref ci, r * ldc), j, n, depth, add);
                }
            }

            for (; i < m; i++)
            {
                ref float ai = ref Unsafe.Add(ref ab, i * aRow);
                ref float ci = ref Unsafe.Add(ref rc, i * ldc);
                int j = 0;
                for (; j + width <= n; j += width)
                {
                    Tile1x1(ref ai, aColumn, ref Unsafe.Add(ref bb, j), ldb, ref Unsafe.Add(ref ci, j), depth, add);
                }

                Scalar(ref ai, aColumn, ref bb, ldb, ref ci, j, n, depth, add);
            }
        }
    }

    private static void Tile4x3(ref float a, int aRow, int aColumn, ref float b, int ldb, ref float c, int ldc, int depth, bool add)
    {
        int width = Vector<float>.Count;
        Vector<float> c00 = default, c01 = default, c02 = default;
        Vector<float> c10 = default, c11 = default, c12 = default;
        Vector<float> c20 = default, c21 = default, c22 = default;
        Vector<float> c30 = default, c31 = default, c32 = default;
        for (int p = 0; p < depth; p++)
        {
            ref float bp = ref Unsafe.Add(ref b, p * ldb);
            var b0 = Vector.LoadUnsafe(ref bp, 0);
            var b1 = Vector.LoadUnsafe(ref bp, (nuint)width);
            var b2 = Vector.LoadUnsafe(ref bp, (nuint)(2 * width));
            ref float ap = ref Unsafe.Add(ref a, p * aColumn);
            var a0 = new Vector<float>(ap);
            c00 = MultiplyAdd(a0, b0, c00);
            c01 = MultiplyAdd(a0, b1, c01);
            c02 = MultiplyAdd(a0, b2, c02);
            var a1 = new Vector<float>(Unsafe.Add(ref ap, aRow));
            c10 = MultiplyAdd(a1, b0, c10);
            c11 = MultiplyAdd(a1, b1, c11);
            c12 = MultiplyAdd(a1, b2, c12);
            var a2 = new Vector<float>(Unsafe.Add(ref ap, 2 * aRow));
            c20 = MultiplyAdd(a2, b0, c20);
            c21 = MultiplyAdd(a2, b1, c21);
            c22 = MultiplyAdd(a2, b2, c22);
            var a3 = new Vector<float>(Unsafe.Add(ref ap, 3 * aRow));
            c30 = MultiplyAdd(a3, b0, c30);
            c31 = MultiplyAdd(a3, b1, c31);
            c32 = MultiplyAdd(a3, b2, c32);
        }

        Store(ref c, 0, c00, c01, c02, width, add);
        Store(ref c, ldc, c10, c11, c12, width, add);
        Store(ref c, 2 * ldc, c20, c21, c22, width, add);
        Store(ref c, 3 * ldc, c30, c31, c32, width, add);
    }

    private static void Tile4x1(ref float a, int aRow, int aColumn, ref float b, int ldb, ref float c, int ldc, int depth, bool add)
    {
        Vector<float> c0 = default, c1 = default, c2 = default, c3 = default;
        for (int p = 0; p < depth; p++)
        {
            var bv = Vector.LoadUnsafe(ref Unsafe.Add(ref b, p * ldb), 0);
            ref float ap = ref Unsafe.Add(ref a, p * aColumn);
            c0 = MultiplyAdd(new Vector<float>(ap), bv, c0);
            c1 = MultiplyAdd(new Vector<float>(Unsafe.Add(ref ap, aRow)), bv, c1);
            c2 = MultiplyAdd(new Vector<float>(Unsafe.Add(ref ap, 2 * aRow)), bv, c2);
            c3 = MultiplyAdd(new Vector<float>(Unsafe.Add(ref ap, 3 * aRow)), bv, c3);
        }

        Store(ref c, 0, c0, add);
        Store(ref c, ldc, c1, add);
        Store(ref c, 2 * ldc, c2, add);
        Store(ref c, 3 * ldc, c3, add);
    }

    private static void Tile1x1(ref float a, int aColumn, ref float b, int ldb, ref float c, int depth, bool add)
    {
        Vector<float> sum = default;
        for (int p = 0; p < depth; p++)
        {
            sum = MultiplyAdd(new Vector<float>(Unsafe.Add(ref a, p * aColumn)), Vector.LoadUnsafe(ref Unsafe.Add(ref b, p * ldb), 0), sum);
        }

        Store(ref c, 0, sum, add);
    }

    /// <summary>Columns <paramref name="from"/> to <paramref name="n"/> of one row of <c>C</c>, past the last whole vector.</summary>
    private static void Scalar(ref float a, int aColumn, ref float b, int ldb, ref float c, int from, int n, int depth, bool add)
    {
        for (int j = from; j < n; j++)
        {
            float sum = 0;
            for (int p = 0; p < depth; p++)
            {
                sum += Unsafe.Add(ref a, p * aColumn) * Unsafe.Add(ref b, (p * ldb) + j);
            }

            ref float cj = ref Unsafe.Add(ref c, j);
            cj = add ? cj + sum : sum;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref float c, int offset, Vector<float> v0, Vector<float> v1, Vector<float> v2, int width, bool add)
    {
        ref float row = ref Unsafe.Add(ref c, offset);
        Store(ref row, 0, v0, add);
        Store(ref row, width, v1, add);
        Store(ref row, 2 * width, v2, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref float c, int offset, Vector<float> value, bool add)
    {
        if (add)
        {
            value += Vector.LoadUnsafe(ref c, (nuint)offset);
        }

        value.StoreUnsafe(ref c, (nuint)offset);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> MultiplyAdd(Vector<float> a, Vector<float> b, Vector<float> c) =>
#if NET9_0_OR_GREATER
        Vector.FusedMultiplyAdd(a, b, c);
#else
        (a * b) + c;
#endif
}
