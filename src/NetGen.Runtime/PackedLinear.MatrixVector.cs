using System;
using System.Runtime.CompilerServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
#else
using System.Numerics;
#endif

namespace NetGen.Runtime;

/// <summary>The matrix-vector kernels: one sample through one or four panels.</summary>
public static partial class PackedLinear
{
    /// <summary>One sample times one panel: adds the panel's 16 dot products to <paramref name="sums"/>.</summary>
    /// <remarks>
    /// Every kernel sums each output the same way (one chain of fused multiply-adds per block,
    /// blocks added in double), so a sample gives bit-identical results alone, in a batch, or
    /// beside other panels.
    /// </remarks>
    private static void PanelRow(ref float w, ref float x, int columns, ref double sums)
    {
#if NET8_0_OR_GREATER
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
#else
        if (Vector.IsHardwareAccelerated && PanelWidth % Vector<float>.Count == 0)
        {
            // Vector<T>, the netstandard2.1 build's only SIMD (and without a fused multiply-add):
            // per block, one chain of multiplies and adds for each group of lanes, added in double.
            int lanes = Vector<float>.Count;
            for (int k = 0; k < columns; k += BlockLength)
            {
                int end = Math.Min(columns, k + BlockLength);
                for (int lane = 0; lane < PanelWidth; lane += lanes)
                {
                    Vector<float> a = Vector<float>.Zero;
                    for (int j = k; j < end; j++)
                    {
                        a += Vector.LoadUnsafe(ref w, (nuint)((j * PanelWidth) + lane)) * new Vector<float>(Unsafe.Add(ref x, j));
                    }

                    for (int l = 0; l < lanes; l++)
                    {
                        Unsafe.Add(ref sums, lane + l) += a[l];
                    }
                }
            }
        }
        else
#endif
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
#if NET8_0_OR_GREATER
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
#endif
        {
            // Four quarters per panel already give Vector128 four chains; Vector<T> and scalar code take a panel at a time.
            for (int p = 0; p < 4; p++)
            {
                PanelRow(ref Unsafe.Add(ref w, p * stride), ref x, columns, ref Unsafe.Add(ref sums, p * PanelWidth));
            }
        }
    }
}
