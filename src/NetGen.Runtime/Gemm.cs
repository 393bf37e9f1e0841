using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
#endif

namespace NetGen.Runtime;

/// <summary>
/// The matrix products of a trainable model, <c>C (+)= A · B</c> with <c>B</c> and <c>C</c> row-major
/// and <c>A</c> read through strides, so that one kernel computes <c>dX = dY · W</c> (A = dY as
/// stored), <c>dW += dYᵀ · X</c> (A = dY transposed, by its strides) and the forward pass's
/// <c>Yᵀ = W · Xᵀ</c> (B = the activations transposed); and dot products of rows for batches too
/// narrow for that (<see cref="MultiplyTransposed"/>).
/// </summary>
/// <remarks>
/// <para>
/// Register tiles of 4 rows of <c>C</c> by 3 vectors (12 accumulators, 3 loads of <c>B</c> and 4
/// broadcasts of <c>A</c> per step: 16 registers on AVX2 and SSE), or of 6 rows by 2 where those
/// would leave single rows or short tails (<c>PrefersSixRows</c>), written once over a vector
/// type (<see cref="IVectorOps{TVector}"/>): <c>Vector512</c> where AVX-512 is accelerated,
/// else <see cref="Vector{T}"/>, which is 256 bits wide on AVX2, 128 on NEON and SSE, and which
/// the netstandard2.1 build (Unity) has too; floats where no vector is accelerated. A tile walks
/// <c>A</c> and <c>B</c> by moving two references, with its rows' offsets computed once: indices
/// multiplied afresh each step cost AVX2's forward pass 8% (94 against 102 GFLOP/s).
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

    /// <summary>The floats of the vectors the kernels run on here.</summary>
    public static int Width =>
#if NET8_0_OR_GREATER
        Vector512.IsHardwareAccelerated ? Vector512<float>.Count :
#endif
        Vector<float>.Count;

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

#if NET8_0_OR_GREATER
        if (Vector512.IsHardwareAccelerated)
        {
            Multiply<Vector512Ops, Vector512<float>>(a, aRow, aColumn, b, ldb, c, ldc, m, n, k, accumulate);
            return;
        }
#endif
        if (Vector.IsHardwareAccelerated)
        {
            Multiply<VectorOps, Vector<float>>(a, aRow, aColumn, b, ldb, c, ldc, m, n, k, accumulate);
            return;
        }

        MultiplyScalar(a, aRow, aColumn, b, ldb, c, ldc, m, n, k, accumulate);
    }

    /// <summary>
    /// <see cref="Multiply"/> in floats, where <see cref="Vector{T}"/> is not accelerated (a runtime
    /// without SIMD, or <c>DOTNET_EnableHWIntrinsic=0</c>) and its software form is twenty times
    /// slower than this (0.4 against 7.7 GFLOP/s on T2's products): 4 columns of a row at a time, the same blocks of
    /// <see cref="BlockLength"/> terms, each column's sum as <see cref="Scalar"/> makes it.
    /// </summary>
    private static void MultiplyScalar(ReadOnlySpan<float> a, int aRow, int aColumn, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, int m, int n, int k, bool accumulate)
    {
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rc = ref MemoryMarshal.GetReference(c);
        for (int p0 = 0; p0 < k; p0 += BlockLength)
        {
            int depth = Math.Min(BlockLength, k - p0);
            bool add = accumulate || p0 > 0;
            ref float ab = ref Unsafe.Add(ref ra, p0 * aColumn);
            ref float bb = ref Unsafe.Add(ref rb, p0 * ldb);
            for (int i = 0; i < m; i++)
            {
                ref float ai = ref Unsafe.Add(ref ab, i * aRow);
                ref float ci = ref Unsafe.Add(ref rc, i * ldc);
                int j = 0;
                for (; j + 4 <= n; j += 4)
                {
                    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                    for (int p = 0; p < depth; p++)
                    {
                        float x = Unsafe.Add(ref ai, p * aColumn);
                        ref float bp = ref Unsafe.Add(ref bb, (p * ldb) + j);
                        s0 += x * bp;
                        s1 += x * Unsafe.Add(ref bp, 1);
                        s2 += x * Unsafe.Add(ref bp, 2);
                        s3 += x * Unsafe.Add(ref bp, 3);
                    }

                    ref float cj = ref Unsafe.Add(ref ci, j);
                    cj = add ? cj + s0 : s0;
                    Unsafe.Add(ref cj, 1) = add ? Unsafe.Add(ref cj, 1) + s1 : s1;
                    Unsafe.Add(ref cj, 2) = add ? Unsafe.Add(ref cj, 2) + s2 : s2;
                    Unsafe.Add(ref cj, 3) = add ? Unsafe.Add(ref cj, 3) + s3 : s3;
                }

                Scalar(ref ai, aColumn, ref bb, ldb, ref ci, j, n, depth, add);
            }
        }
    }

    private static void Multiply<TOps, TVector>(ReadOnlySpan<float> a, int aRow, int aColumn, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, int m, int n, int k, bool accumulate)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rc = ref MemoryMarshal.GetReference(c);
        int width = default(TOps).Count;
        for (int p0 = 0; p0 < k; p0 += BlockLength)
        {
            int depth = Math.Min(BlockLength, k - p0);
            bool add = accumulate || p0 > 0;
            ref float ab = ref Unsafe.Add(ref ra, p0 * aColumn);
            ref float bb = ref Unsafe.Add(ref rb, p0 * ldb);
            int i = 0;
            if (PrefersSixRows(m, n / width, default(TOps).ShortTailsIdle))
            {
                for (int end = 6 * SixRowBlocks(m); i < end; i += 6)
                {
                    ref float ai = ref Unsafe.Add(ref ab, i * aRow);
                    ref float ci = ref Unsafe.Add(ref rc, i * ldc);
                    int j = 0;
                    for (; j + (2 * width) <= n; j += 2 * width)
                    {
                        Tile6x2<TOps, TVector>(ref ai, aRow, aColumn, ref Unsafe.Add(ref bb, j), ldb, ref Unsafe.Add(ref ci, j), ldc, depth, add);
                    }

                    for (; j + width <= n; j += width)
                    {
                        Tile6x1<TOps, TVector>(ref ai, aRow, aColumn, ref Unsafe.Add(ref bb, j), ldb, ref Unsafe.Add(ref ci, j), ldc, depth, add);
                    }

                    for (int r = 0; r < 6; r++)
                    {
                        Scalar(ref Unsafe.Add(ref ai, r * aRow), aColumn, ref bb, ldb, ref Unsafe.Add(ref ci, r * ldc), j, n, depth, add);
                    }
                }
            }

            for (; i + TileRows <= m; i += TileRows)
            {
                ref float ai = ref Unsafe.Add(ref ab, i * aRow);
                ref float ci = ref Unsafe.Add(ref rc, i * ldc);
                int j = 0;
                for (; j + (3 * width) <= n; j += 3 * width)
                {
                    Tile4x3<TOps, TVector>(ref ai, aRow, aColumn, ref Unsafe.Add(ref bb, j), ldb, ref Unsafe.Add(ref ci, j), ldc, depth, add);
                }

                for (; j + (2 * width) <= n; j += 2 * width)
                {
                    Tile4x2<TOps, TVector>(ref ai, aRow, aColumn, ref Unsafe.Add(ref bb, j), ldb, ref Unsafe.Add(ref ci, j), ldc, depth, add);
                }

                for (; j + width <= n; j += width)
                {
                    Tile4x1<TOps, TVector>(ref ai, aRow, aColumn, ref Unsafe.Add(ref bb, j), ldb, ref Unsafe.Add(ref ci, j), ldc, depth, add);
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
                    Tile1x1<TOps, TVector>(ref ai, aColumn, ref Unsafe.Add(ref bb, j), ldb, ref Unsafe.Add(ref ci, j), depth, add);
                }

                Scalar(ref ai, aColumn, ref bb, ldb, ref ci, j, n, depth, add);
            }
        }
    }

    /// <summary>
    /// Whether tiles of 6 rows by 2 vectors beat 4 by 3 for <c>C</c>'s <paramref name="m"/> rows of
    /// <paramref name="vectors"/> whole vectors (measured on an AMD Zen 4 on T2's and the digits
    /// model's products): where 4 rows leave single rows (<c>m</c> = 10, AVX2: 92 against 47
    /// GFLOP/s; AVX-512: 103 against 76); and, where <paramref name="shortTailsIdle"/>, where 3
    /// vectors leave a tail of 1 or 2 on few vectors (a batch of 32 as the forward pass's columns,
    /// AVX2: 93 against 85). Elsewhere 4 × 3 is 2 to 4% faster (dW of 784 columns at 32 rows,
    /// AVX2: 97 against 94; the forward pass with AVX-512: 105 against 102).
    /// </summary>
    private static bool PrefersSixRows(int m, int vectors, bool shortTailsIdle) =>
        m % 4 != 0 || (shortTailsIdle && vectors < 6 && vectors % 3 != 0);

    /// <summary>
    /// How many tiles of 6 rows start <c>C</c>'s <paramref name="m"/> rows, so that the rest is a
    /// multiple of 4 (plus one row when <paramref name="m"/> is odd): 128 = 6 · 20 + 4 · 2,
    /// 64 = 6 · 10 + 4. Rows outside a tile of 4 or 6 run on one vector's chain a column.
    /// </summary>
    private static int SixRowBlocks(int m)
    {
        int even = m & ~1;
        return (even % 6) switch
        {
            0 => even / 6,
            4 => (even - 4) / 6,
            _ => even >= 8 ? (even - 8) / 6 : 0,
        };
    }

    /// <summary>6 rows by 2 vectors: 12 accumulators, 2 loads of <c>B</c> and 6 broadcasts of <c>A</c> a step, 15 of AVX2's 16 registers.</summary>
    private static void Tile6x2<TOps, TVector>(ref float a, int aRow, int aColumn, ref float b, int ldb, ref float c, int ldc, int depth, bool add)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        var v = default(TOps);
        nint step = aColumn, next = ldb;
        nint r1 = aRow, r2 = 2 * r1, r3 = 3 * r1, r4 = 4 * r1, r5 = 5 * r1;
        int width = v.Count;
        TVector c00 = default, c01 = default, c10 = default, c11 = default;
        TVector c20 = default, c21 = default, c30 = default, c31 = default;
        TVector c40 = default, c41 = default, c50 = default, c51 = default;
        ref float ap = ref a;
        ref float bp = ref b;
        for (int p = 0; p < depth; p++)
        {
            var b0 = v.Load(ref bp, 0);
            var b1 = v.Load(ref bp, (nuint)width);
            var a0 = v.Broadcast(ap);
            c00 = v.MultiplyAdd(a0, b0, c00);
            c01 = v.MultiplyAdd(a0, b1, c01);
            var a1 = v.Broadcast(Unsafe.Add(ref ap, r1));
            c10 = v.MultiplyAdd(a1, b0, c10);
            c11 = v.MultiplyAdd(a1, b1, c11);
            var a2 = v.Broadcast(Unsafe.Add(ref ap, r2));
            c20 = v.MultiplyAdd(a2, b0, c20);
            c21 = v.MultiplyAdd(a2, b1, c21);
            var a3 = v.Broadcast(Unsafe.Add(ref ap, r3));
            c30 = v.MultiplyAdd(a3, b0, c30);
            c31 = v.MultiplyAdd(a3, b1, c31);
            var a4 = v.Broadcast(Unsafe.Add(ref ap, r4));
            c40 = v.MultiplyAdd(a4, b0, c40);
            c41 = v.MultiplyAdd(a4, b1, c41);
            var a5 = v.Broadcast(Unsafe.Add(ref ap, r5));
            c50 = v.MultiplyAdd(a5, b0, c50);
            c51 = v.MultiplyAdd(a5, b1, c51);
            ap = ref Unsafe.Add(ref ap, step);
            bp = ref Unsafe.Add(ref bp, next);
        }

        Store2<TOps, TVector>(ref c, c00, c01, width, add);
        Store2<TOps, TVector>(ref Unsafe.Add(ref c, ldc), c10, c11, width, add);
        Store2<TOps, TVector>(ref Unsafe.Add(ref c, 2 * ldc), c20, c21, width, add);
        Store2<TOps, TVector>(ref Unsafe.Add(ref c, 3 * ldc), c30, c31, width, add);
        Store2<TOps, TVector>(ref Unsafe.Add(ref c, 4 * ldc), c40, c41, width, add);
        Store2<TOps, TVector>(ref Unsafe.Add(ref c, 5 * ldc), c50, c51, width, add);
    }

    private static void Tile6x1<TOps, TVector>(ref float a, int aRow, int aColumn, ref float b, int ldb, ref float c, int ldc, int depth, bool add)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        var v = default(TOps);
        nint step = aColumn, next = ldb;
        nint r1 = aRow, r2 = 2 * r1, r3 = 3 * r1, r4 = 4 * r1, r5 = 5 * r1;
        TVector c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        ref float ap = ref a;
        ref float bp = ref b;
        for (int p = 0; p < depth; p++)
        {
            var bv = v.Load(ref bp, 0);
            c0 = v.MultiplyAdd(v.Broadcast(ap), bv, c0);
            c1 = v.MultiplyAdd(v.Broadcast(Unsafe.Add(ref ap, r1)), bv, c1);
            c2 = v.MultiplyAdd(v.Broadcast(Unsafe.Add(ref ap, r2)), bv, c2);
            c3 = v.MultiplyAdd(v.Broadcast(Unsafe.Add(ref ap, r3)), bv, c3);
            c4 = v.MultiplyAdd(v.Broadcast(Unsafe.Add(ref ap, r4)), bv, c4);
            c5 = v.MultiplyAdd(v.Broadcast(Unsafe.Add(ref ap, r5)), bv, c5);
            ap = ref Unsafe.Add(ref ap, step);
            bp = ref Unsafe.Add(ref bp, next);
        }

        Store<TOps, TVector>(ref c, c0, add);
        Store<TOps, TVector>(ref Unsafe.Add(ref c, ldc), c1, add);
        Store<TOps, TVector>(ref Unsafe.Add(ref c, 2 * ldc), c2, add);
        Store<TOps, TVector>(ref Unsafe.Add(ref c, 3 * ldc), c3, add);
        Store<TOps, TVector>(ref Unsafe.Add(ref c, 4 * ldc), c4, add);
        Store<TOps, TVector>(ref Unsafe.Add(ref c, 5 * ldc), c5, add);
    }

    private static void Tile4x3<TOps, TVector>(ref float a, int aRow, int aColumn, ref float b, int ldb, ref float c, int ldc, int depth, bool add)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        var v = default(TOps);
        nint step = aColumn, next = ldb;
        nint r1 = aRow, r2 = 2 * r1, r3 = 3 * r1;
        int width = v.Count;
        TVector c00 = default, c01 = default, c02 = default;
        TVector c10 = default, c11 = default, c12 = default;
        TVector c20 = default, c21 = default, c22 = default;
        TVector c30 = default, c31 = default, c32 = default;
        ref float ap = ref a;
        ref float bp = ref b;
        for (int p = 0; p < depth; p++)
        {
            var b0 = v.Load(ref bp, 0);
            var b1 = v.Load(ref bp, (nuint)width);
            var b2 = v.Load(ref bp, (nuint)(2 * width));
            var a0 = v.Broadcast(ap);
            c00 = v.MultiplyAdd(a0, b0, c00);
            c01 = v.MultiplyAdd(a0, b1, c01);
            c02 = v.MultiplyAdd(a0, b2, c02);
            var a1 = v.Broadcast(Unsafe.Add(ref ap, r1));
            c10 = v.MultiplyAdd(a1, b0, c10);
            c11 = v.MultiplyAdd(a1, b1, c11);
            c12 = v.MultiplyAdd(a1, b2, c12);
            var a2 = v.Broadcast(Unsafe.Add(ref ap, r2));
            c20 = v.MultiplyAdd(a2, b0, c20);
            c21 = v.MultiplyAdd(a2, b1, c21);
            c22 = v.MultiplyAdd(a2, b2, c22);
            var a3 = v.Broadcast(Unsafe.Add(ref ap, r3));
            c30 = v.MultiplyAdd(a3, b0, c30);
            c31 = v.MultiplyAdd(a3, b1, c31);
            c32 = v.MultiplyAdd(a3, b2, c32);
            ap = ref Unsafe.Add(ref ap, step);
            bp = ref Unsafe.Add(ref bp, next);
        }

        Store3<TOps, TVector>(ref c, c00, c01, c02, width, add);
        Store3<TOps, TVector>(ref Unsafe.Add(ref c, ldc), c10, c11, c12, width, add);
        Store3<TOps, TVector>(ref Unsafe.Add(ref c, 2 * ldc), c20, c21, c22, width, add);
        Store3<TOps, TVector>(ref Unsafe.Add(ref c, 3 * ldc), c30, c31, c32, width, add);
    }

    private static void Tile4x2<TOps, TVector>(ref float a, int aRow, int aColumn, ref float b, int ldb, ref float c, int ldc, int depth, bool add)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        var v = default(TOps);
        nint step = aColumn, next = ldb;
        nint r1 = aRow, r2 = 2 * r1, r3 = 3 * r1;
        int width = v.Count;
        TVector c00 = default, c01 = default, c10 = default, c11 = default;
        TVector c20 = default, c21 = default, c30 = default, c31 = default;
        ref float ap = ref a;
        ref float bp = ref b;
        for (int p = 0; p < depth; p++)
        {
            var b0 = v.Load(ref bp, 0);
            var b1 = v.Load(ref bp, (nuint)width);
            var a0 = v.Broadcast(ap);
            c00 = v.MultiplyAdd(a0, b0, c00);
            c01 = v.MultiplyAdd(a0, b1, c01);
            var a1 = v.Broadcast(Unsafe.Add(ref ap, r1));
            c10 = v.MultiplyAdd(a1, b0, c10);
            c11 = v.MultiplyAdd(a1, b1, c11);
            var a2 = v.Broadcast(Unsafe.Add(ref ap, r2));
            c20 = v.MultiplyAdd(a2, b0, c20);
            c21 = v.MultiplyAdd(a2, b1, c21);
            var a3 = v.Broadcast(Unsafe.Add(ref ap, r3));
            c30 = v.MultiplyAdd(a3, b0, c30);
            c31 = v.MultiplyAdd(a3, b1, c31);
            ap = ref Unsafe.Add(ref ap, step);
            bp = ref Unsafe.Add(ref bp, next);
        }

        Store<TOps, TVector>(ref c, c00, add);
        Store<TOps, TVector>(ref Unsafe.Add(ref c, width), c01, add);
        Store<TOps, TVector>(ref Unsafe.Add(ref c, ldc), c10, add);
        Store<TOps, TVector>(ref Unsafe.Add(ref c, ldc + width), c11, add);
        Store<TOps, TVector>(ref Unsafe.Add(ref c, 2 * ldc), c20, add);
        Store<TOps, TVector>(ref Unsafe.Add(ref c, (2 * ldc) + width), c21, add);
        Store<TOps, TVector>(ref Unsafe.Add(ref c, 3 * ldc), c30, add);
        Store<TOps, TVector>(ref Unsafe.Add(ref c, (3 * ldc) + width), c31, add);
    }

    private static void Tile4x1<TOps, TVector>(ref float a, int aRow, int aColumn, ref float b, int ldb, ref float c, int ldc, int depth, bool add)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        var v = default(TOps);
        nint step = aColumn, next = ldb;
        nint r1 = aRow, r2 = 2 * r1, r3 = 3 * r1;
        TVector c0 = default, c1 = default, c2 = default, c3 = default;
        ref float ap = ref a;
        ref float bp = ref b;
        for (int p = 0; p < depth; p++)
        {
            var bv = v.Load(ref bp, 0);
            c0 = v.MultiplyAdd(v.Broadcast(ap), bv, c0);
            c1 = v.MultiplyAdd(v.Broadcast(Unsafe.Add(ref ap, r1)), bv, c1);
            c2 = v.MultiplyAdd(v.Broadcast(Unsafe.Add(ref ap, r2)), bv, c2);
            c3 = v.MultiplyAdd(v.Broadcast(Unsafe.Add(ref ap, r3)), bv, c3);
            ap = ref Unsafe.Add(ref ap, step);
            bp = ref Unsafe.Add(ref bp, next);
        }

        Store<TOps, TVector>(ref c, c0, add);
        Store<TOps, TVector>(ref Unsafe.Add(ref c, ldc), c1, add);
        Store<TOps, TVector>(ref Unsafe.Add(ref c, 2 * ldc), c2, add);
        Store<TOps, TVector>(ref Unsafe.Add(ref c, 3 * ldc), c3, add);
    }

    private static void Tile1x1<TOps, TVector>(ref float a, int aColumn, ref float b, int ldb, ref float c, int depth, bool add)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        var v = default(TOps);
        nint step = aColumn, next = ldb;
        TVector sum = default;
        ref float ap = ref a;
        ref float bp = ref b;
        for (int p = 0; p < depth; p++)
        {
            sum = v.MultiplyAdd(v.Broadcast(ap), v.Load(ref bp, 0), sum);
            ap = ref Unsafe.Add(ref ap, step);
            bp = ref Unsafe.Add(ref bp, next);
        }

        Store<TOps, TVector>(ref c, sum, add);
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

    /// <summary>
    /// <c>C[i, j] = bias[j] + Σ_p A[i, p] · B[j, p]</c> (<c>C = A Bᵀ + b</c>) with <c>A</c>, <c>B</c> and <c>C</c>
    /// row-major: a linear layer's <c>Y = X Wᵀ + b</c> on the weights as they are stored, so that a
    /// trainable model's forward pass needs no packing of weights that change every step.
    /// </summary>
    /// <remarks>
    /// Tiles of 4 rows of <c>A</c> by 3 of <c>B</c>, each output a vector of partial sums along
    /// <c>p</c>: every 64 vectors of columns, the lanes are added up in double and added to the
    /// output's sum, so each float32 chain has at most 64 terms, as the inference kernels'
    /// (<c>Contract.BlockLength</c>), whatever the layer's width. The lanes' sums make it slower
    /// than <see cref="Multiply"/> (about 40% of the FMA peak on 784-wide rows against 80%:
    /// benchmarks/README.md), so it serves batches of fewer rows than a vector holds.
    /// </remarks>
    public static void MultiplyTransposed(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, ReadOnlySpan<float> bias, Span<float> c, int ldc, int m, int n, int k)
    {
#if NET8_0_OR_GREATER
        if (Vector512.IsHardwareAccelerated)
        {
            MultiplyTransposed<Vector512Ops, Vector512<float>>(a, lda, b, ldb, bias, c, ldc, m, n, k);
            return;
        }
#endif
        if (Vector.IsHardwareAccelerated)
        {
            MultiplyTransposed<VectorOps, Vector<float>>(a, lda, b, ldb, bias, c, ldc, m, n, k);
            return;
        }

        // Without accelerated vectors (see MultiplyScalar): each dot product in float32 chains of
        // Contract.BlockLength terms, the chains added in double.
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rc = ref MemoryMarshal.GetReference(c);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                ref float ai = ref Unsafe.Add(ref ra, i * lda);
                ref float bj = ref Unsafe.Add(ref rb, j * ldb);
                double sum = 0;
                for (int p0 = 0; p0 < k; p0 += Contract.BlockLength)
                {
                    int end = Math.Min(k, p0 + Contract.BlockLength);
                    float chain = 0;
                    for (int p = p0; p < end; p++)
                    {
                        chain += Unsafe.Add(ref ai, p) * Unsafe.Add(ref bj, p);
                    }

                    sum += chain;
                }

                Write(ref Unsafe.Add(ref rc, (i * ldc) + j), sum, bias, j);
            }
        }
    }

    private static void MultiplyTransposed<TOps, TVector>(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, ReadOnlySpan<float> bias, Span<float> c, int ldc, int m, int n, int k)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rc = ref MemoryMarshal.GetReference(c);
        Span<double> sums = stackalloc double[12];

        int i = 0;
        for (; i + TileRows <= m; i += TileRows)
        {
            int j = 0;
            for (; j + 3 <= n; j += 3)
            {
                Dot4x3<TOps, TVector>(ref Unsafe.Add(ref ra, i * lda), lda, ref Unsafe.Add(ref rb, j * ldb), ldb, k, sums);
                for (int r = 0; r < TileRows; r++)
                {
                    for (int q = 0; q < 3; q++)
                    {
                        Write(ref Unsafe.Add(ref rc, ((i + r) * ldc) + j + q), sums[(r * 3) + q], bias, j + q);
                    }
                }
            }

            for (; j < n; j++)
            {
                for (int r = 0; r < TileRows; r++)
                {
                    Write(ref Unsafe.Add(ref rc, ((i + r) * ldc) + j), Dot<TOps, TVector>(ref Unsafe.Add(ref ra, (i + r) * lda), ref Unsafe.Add(ref rb, j * ldb), k), bias, j);
                }
            }
        }

        for (; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                Write(ref Unsafe.Add(ref rc, (i * ldc) + j), Dot<TOps, TVector>(ref Unsafe.Add(ref ra, i * lda), ref Unsafe.Add(ref rb, j * ldb), k), bias, j);
            }
        }
    }

    /// <summary>An output: its sum plus its bias, rounded once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Write(ref float c, double sum, ReadOnlySpan<float> bias, int j) =>
        c = (float)(sum + (bias.IsEmpty ? 0 : bias[j]));

    /// <summary>Four rows of A dotted with three of B: 12 sums, each lane a chain of at most 64 terms (<c>Contract.BlockLength</c>), the blocks added in double.</summary>
    private static void Dot4x3<TOps, TVector>(ref float a, int lda, ref float b, int ldb, int k, Span<double> sums)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        var v = default(TOps);
        int width = v.Count;
        ref float a1 = ref Unsafe.Add(ref a, lda);
        ref float a2 = ref Unsafe.Add(ref a, 2 * lda);
        ref float a3 = ref Unsafe.Add(ref a, 3 * lda);
        ref float b1 = ref Unsafe.Add(ref b, ldb);
        ref float b2 = ref Unsafe.Add(ref b, 2 * ldb);
        int whole = k - (k % width);
        int block = Contract.BlockLength * width;
        sums.Clear();
        for (int p0 = 0; p0 < whole; p0 += block)
        {
            int end = Math.Min(whole, p0 + block);
            TVector c00 = default, c01 = default, c02 = default;
            TVector c10 = default, c11 = default, c12 = default;
            TVector c20 = default, c21 = default, c22 = default;
            TVector c30 = default, c31 = default, c32 = default;
            for (int p = p0; p < end; p += width)
            {
                var w0 = v.Load(ref b, (nuint)p);
                var w1 = v.Load(ref b1, (nuint)p);
                var w2 = v.Load(ref b2, (nuint)p);
                var x = v.Load(ref a, (nuint)p);
                c00 = v.MultiplyAdd(x, w0, c00);
                c01 = v.MultiplyAdd(x, w1, c01);
                c02 = v.MultiplyAdd(x, w2, c02);
                x = v.Load(ref a1, (nuint)p);
                c10 = v.MultiplyAdd(x, w0, c10);
                c11 = v.MultiplyAdd(x, w1, c11);
                c12 = v.MultiplyAdd(x, w2, c12);
                x = v.Load(ref a2, (nuint)p);
                c20 = v.MultiplyAdd(x, w0, c20);
                c21 = v.MultiplyAdd(x, w1, c21);
                c22 = v.MultiplyAdd(x, w2, c22);
                x = v.Load(ref a3, (nuint)p);
                c30 = v.MultiplyAdd(x, w0, c30);
                c31 = v.MultiplyAdd(x, w1, c31);
                c32 = v.MultiplyAdd(x, w2, c32);
            }

            sums[0] += v.Sum(c00);
            sums[1] += v.Sum(c01);
            sums[2] += v.Sum(c02);
            sums[3] += v.Sum(c10);
            sums[4] += v.Sum(c11);
            sums[5] += v.Sum(c12);
            sums[6] += v.Sum(c20);
            sums[7] += v.Sum(c21);
            sums[8] += v.Sum(c22);
            sums[9] += v.Sum(c30);
            sums[10] += v.Sum(c31);
            sums[11] += v.Sum(c32);
        }

        for (int p = whole; p < k; p++)
        {
            for (int r = 0; r < TileRows; r++)
            {
                float x = Unsafe.Add(ref a, (r * lda) + p);
                for (int q = 0; q < 3; q++)
                {
                    sums[(r * 3) + q] += x * Unsafe.Add(ref b, (q * ldb) + p);
                }
            }
        }
    }

    /// <summary>One dot product of <paramref name="k"/> terms, blocked as <see cref="Dot4x3"/>'s.</summary>
    private static double Dot<TOps, TVector>(ref float a, ref float b, int k)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        var v = default(TOps);
        int width = v.Count;
        int whole = k - (k % width);
        int block = Contract.BlockLength * width;
        double sum = 0;
        for (int p0 = 0; p0 < whole; p0 += block)
        {
            int end = Math.Min(whole, p0 + block);
            TVector chain = default;
            for (int p = p0; p < end; p += width)
            {
                chain = v.MultiplyAdd(v.Load(ref a, (nuint)p), v.Load(ref b, (nuint)p), chain);
            }

            sum += v.Sum(chain);
        }

        for (int p = whole; p < k; p++)
        {
            sum += Unsafe.Add(ref a, p) * Unsafe.Add(ref b, p);
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store2<TOps, TVector>(ref float c, TVector v0, TVector v1, int width, bool add)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        Store<TOps, TVector>(ref c, v0, add);
        Store<TOps, TVector>(ref Unsafe.Add(ref c, width), v1, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store3<TOps, TVector>(ref float c, TVector v0, TVector v1, TVector v2, int width, bool add)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        Store<TOps, TVector>(ref c, v0, add);
        Store<TOps, TVector>(ref Unsafe.Add(ref c, width), v1, add);
        Store<TOps, TVector>(ref Unsafe.Add(ref c, 2 * width), v2, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TOps, TVector>(ref float c, TVector value, bool add)
        where TOps : struct, IVectorOps<TVector>
        where TVector : struct
    {
        var v = default(TOps);
        v.Store(add ? v.Add(value, v.Load(ref c, 0)) : value, ref c, 0);
    }
}

/// <summary>
/// The operations the matrix kernels need of a vector type, as a struct the JIT specializes each
/// kernel for and inlines: one kernel source for <c>Vector512</c> and <see cref="Vector{T}"/>.
/// </summary>
internal interface IVectorOps<TVector>
    where TVector : struct
{
    int Count { get; }

    /// <summary>
    /// Whether a tile of 4 rows by 1 or 2 vectors (4 or 8 chains) leaves the FMA units idle: with
    /// <see cref="Vector{T}"/>, whose FMAs issue two a cycle on AVX2 and take 4 cycles, it does;
    /// <c>Vector512</c>'s issue one a cycle on the Zen 4 (two 256-bit halves), and 8 chains keep it busy.
    /// </summary>
    bool ShortTailsIdle { get; }

    TVector Load(ref float source, nuint offset);

    void Store(TVector value, ref float destination, nuint offset);

    TVector Broadcast(float value);

    TVector MultiplyAdd(TVector a, TVector b, TVector c);

    TVector Add(TVector a, TVector b);

    /// <summary>The lanes' sum, in double.</summary>
    double Sum(TVector value);
}

/// <summary><see cref="Vector{T}"/>: AVX2's 256 bits, NEON's and SSE's 128.</summary>
internal readonly struct VectorOps : IVectorOps<Vector<float>>
{
    public int Count => Vector<float>.Count;

    public bool ShortTailsIdle => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector<float> Load(ref float source, nuint offset) => Vector.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(Vector<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector<float> Broadcast(float value) => new(value);

    /// <remarks>
    /// Fused where the hardware fuses (x86's FMA, every Arm64), as <see cref="Simd"/>'s
    /// multiply-adds: without it, <c>Vector.FusedMultiplyAdd</c> rounds once in software, lane by
    /// lane, a hundred times slower (an x64 without AVX2, or <c>DOTNET_EnableAVX2=0</c>).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector<float> MultiplyAdd(Vector<float> a, Vector<float> b, Vector<float> c) =>
#if NET9_0_OR_GREATER
        System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported ? Vector.FusedMultiplyAdd(a, b, c) : (a * b) + c;
#else
        (a * b) + c;
#endif

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector<float> Add(Vector<float> a, Vector<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Sum(Vector<float> value)
    {
        Vector.Widen(value, out Vector<double> low, out Vector<double> high);
        return Vector.Sum(low + high);
    }
}

#if NET8_0_OR_GREATER
/// <summary><c>Vector512</c>, where AVX-512 is accelerated.</summary>
internal readonly struct Vector512Ops : IVectorOps<Vector512<float>>
{
    public int Count => Vector512<float>.Count;

    public bool ShortTailsIdle => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Load(ref float source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(Vector512<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Broadcast(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) =>
#if NET9_0_OR_GREATER
        Vector512.FusedMultiplyAdd(a, b, c);
#else
        System.Runtime.Intrinsics.X86.Avx512F.FusedMultiplyAdd(a, b, c);
#endif

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Sum(Vector512<float> value)
    {
        var (low, high) = Vector512.Widen(value);
        return Vector512.Sum(low + high);
    }
}
#endif
