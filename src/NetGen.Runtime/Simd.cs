using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
#if NET8_0_OR_GREATER
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
#endif

namespace NetGen.Runtime;

/// <summary>
/// The steps every dense layer over packed panels takes, shared by <see cref="PackedLinear"/>'s
/// kernels and the loops the generator writes for the vectorized strategy, so that both sum
/// each output in exactly the same order and give the same bits.
/// </summary>
/// <remarks>
/// An output is a chain of float32 fused multiply-adds over a block of
/// <see cref="PackedLinear.BlockLength"/> columns (<c>MultiplyAdd</c>),
/// each block's sum added in double (<c>AddTo</c>), and
/// the bias added in double before the one rounding to float (<see cref="StorePanel(ReadOnlySpan{double}, ReadOnlySpan{float}, Span{float}, int)"/>).
/// Generated code calls these; they are public for that reason, not as a general vector library.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Simd
{
#if NET8_0_OR_GREATER
    /// <summary><c>a · b + c</c>, fused (one rounding) where the hardware has fused multiply-add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) =>
        System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? System.Runtime.Intrinsics.X86.Avx512F.FusedMultiplyAdd(a, b, c) : (a * b) + c;

    /// <summary><c>a · b + c</c>, fused (one rounding) where the hardware has fused multiply-add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        System.Runtime.Intrinsics.X86.Fma.IsSupported ? System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a, b, c) : (a * b) + c;

    /// <summary><c>a · b + c</c>, fused (one rounding) where the hardware has fused multiply-add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) =>
        System.Runtime.Intrinsics.X86.Fma.IsSupported ? System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a, b, c) : (a * b) + c;

    /// <summary>Adds the 16 lanes of <paramref name="v"/>, widened to double, to <c>sums[0..16)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddTo(ref double sums, Vector512<float> v)
    {
        var (lo, hi) = Vector512.Widen(v);
        (Vector512.LoadUnsafe(ref sums) + lo).StoreUnsafe(ref sums);
        (Vector512.LoadUnsafe(ref sums, 8) + hi).StoreUnsafe(ref sums, 8);
    }

    /// <summary>Adds the 8 lanes of <paramref name="v"/>, widened to double, to <c>sums[0..8)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddTo(ref double sums, Vector256<float> v)
    {
        var (lo, hi) = Vector256.Widen(v);
        (Vector256.LoadUnsafe(ref sums) + lo).StoreUnsafe(ref sums);
        (Vector256.LoadUnsafe(ref sums, 4) + hi).StoreUnsafe(ref sums, 4);
    }

    /// <summary>Adds the 4 lanes of <paramref name="v"/>, widened to double, to <c>sums[0..4)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddTo(ref double sums, Vector128<float> v)
    {
        var (lo, hi) = Vector128.Widen(v);
        (Vector128.LoadUnsafe(ref sums) + lo).StoreUnsafe(ref sums);
        (Vector128.LoadUnsafe(ref sums, 2) + hi).StoreUnsafe(ref sums, 2);
    }
#endif

    /// <summary>
    /// Writes the outputs of the panel that starts at output <paramref name="row"/>:
    /// <c>y[row + l] = (float)(sums[l] + bias[row + l])</c> for the lanes <c>l &lt; 16</c> that
    /// fall inside <paramref name="y"/> (the last panel of a layer may be partial). An empty
    /// <paramref name="bias"/> means no bias.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePanel(ReadOnlySpan<double> sums, ReadOnlySpan<float> bias, Span<float> y, int row) =>
        StorePanel(sums, bias, y, row, 0, Math.Min(PackedLinear.PanelWidth, y.Length - row), Epilogue.None);

    /// <summary>
    /// Writes the outputs of the panel that starts at output <paramref name="row"/> as
    /// <see cref="StorePanel(ReadOnlySpan{double}, ReadOnlySpan{float}, Span{float}, int)"/> does,
    /// into <paramref name="z"/>, and their <paramref name="activation"/> into <paramref name="a"/>:
    /// the activation fused into the layer's store, while the panel is still in registers. The
    /// results have the bits of the activation's own step over the whole tensor.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="activation"/> is <see cref="Epilogue.None"/> or not an epilogue.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePanel(ReadOnlySpan<double> sums, ReadOnlySpan<float> bias, Span<float> z, Span<float> a, int row, Epilogue activation)
    {
        const int PanelWidth = PackedLinear.PanelWidth;
        if (activation is not (Epilogue.Relu or Epilogue.Gelu or Epilogue.GeluTanh or Epilogue.Sigmoid or Epilogue.Silu or Epilogue.Tanh))
        {
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Expected the activation of a two-output store: Relu, Gelu, GeluTanh, Sigmoid, Silu or Tanh.");
        }

#if NET8_0_OR_GREATER
        if (Vector512.IsHardwareAccelerated && z.Length - row >= PanelWidth && a.Length - row >= PanelWidth && sums.Length >= PanelWidth)
        {
            var v = Round(sums, bias, row);
            v.StoreUnsafe(ref MemoryMarshal.GetReference(z), (nuint)row);
            Apply(activation, v).StoreUnsafe(ref MemoryMarshal.GetReference(a), (nuint)row);
            return;
        }
#endif

        int width = Math.Min(PanelWidth, z.Length - row);
        for (int l = 0; l < width; l++)
        {
            float v = Round(sums, bias, row, l);
            z[row + l] = v;
            if (activation == Epilogue.Relu)
            {
                a[row + l] = SpecialFunctions.Relu(v);
            }
        }

        if (activation != Epilogue.Relu)
        {
            Activate(activation, z.Slice(row, width), a.Slice(row, width));
        }
    }

    /// <summary>
    /// Writes <paramref name="width"/> outputs of a panel, <c>(float)(sum + bias)</c> then the
    /// epilogue, at <c>y[offset + row]</c>. A whole panel is converted, biased and stored as
    /// vectors (the same double add and rounding per lane as the scalar loop, so the same bits);
    /// a partial panel goes one output at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StorePanel(ReadOnlySpan<double> sums, ReadOnlySpan<float> bias, Span<float> y, int row, int offset, int width, Epilogue epilogue)
    {
#if NET8_0_OR_GREATER
        const int PanelWidth = PackedLinear.PanelWidth;
        if (width == PanelWidth && Vector512.IsHardwareAccelerated && sums.Length >= PanelWidth && y.Length - offset - row >= PanelWidth)
        {
            var v = Round(sums, bias, row);
            if (epilogue != Epilogue.None)
            {
                v = Apply(epilogue, v);
            }

            v.StoreUnsafe(ref MemoryMarshal.GetReference(y), (nuint)(offset + row));
            return;
        }

        if (width == PanelWidth && !Vector512.IsHardwareAccelerated && Vector.IsHardwareAccelerated && PanelWidth % Vector<float>.Count == 0 && sums.Length >= PanelWidth && y.Length - offset - row >= PanelWidth)
        {
            // The same per-lane steps on Vector<T> (two halves with AVX2, four quarters with SSE
            // or NEON): one double add and one rounding per lane, then the activation's vector form.
            ref float target = ref Unsafe.Add(ref MemoryMarshal.GetReference(y), offset + row);
            for (int lane = 0; lane < PanelWidth; lane += Vector<float>.Count)
            {
                var v = RoundLanes(sums, bias, row, lane);
                if (epilogue != Epilogue.None)
                {
                    v = Apply(epilogue, v);
                }

                Vector.StoreUnsafe(v, ref target, (nuint)lane);
            }

            return;
        }
#endif

        for (int l = 0; l < width; l++)
        {
            float v = Round(sums, bias, row, l);
            y[offset + row + l] = epilogue == Epilogue.Relu ? SpecialFunctions.Relu(v) : v;
        }

        if (epilogue is not (Epilogue.None or Epilogue.Relu))
        {
            var outputs = y.Slice(offset + row, width);
            Activate(epilogue, outputs, outputs);
        }
    }

#if NET8_0_OR_GREATER
    /// <summary>The activation of an epilogue on a whole panel in a register.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Apply(Epilogue activation, Vector512<float> v) => activation switch
    {
        Epilogue.Relu => Relu(v),
        Epilogue.Gelu => VectorFunctions.Gelu.Invoke(v),
        Epilogue.GeluTanh => VectorFunctions.GeluTanh.Invoke(v),
        Epilogue.Sigmoid => VectorFunctions.Sigmoid.Invoke(v),
        Epilogue.Silu => VectorFunctions.Silu.Invoke(v),
        Epilogue.Tanh => VectorFunctions.Tanh.Invoke(v),
        _ => v,
    };

    /// <summary>The activation of an epilogue on <see cref="Vector{T}"/>'s lanes of a panel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Apply(Epilogue activation, Vector<float> v) => activation switch
    {
        Epilogue.Relu => Vector.ConditionalSelect(Vector.LessThanOrEqual(v, Vector<float>.Zero), Vector<float>.Zero, v),
        Epilogue.Gelu => VectorFunctions.Gelu.Invoke(v),
        Epilogue.GeluTanh => VectorFunctions.GeluTanh.Invoke(v),
        Epilogue.Sigmoid => VectorFunctions.Sigmoid.Invoke(v),
        Epilogue.Silu => VectorFunctions.Silu.Invoke(v),
        Epilogue.Tanh => VectorFunctions.Tanh.Invoke(v),
        _ => v,
    };

    /// <summary>
    /// <c>(float)(sums[l] + bias[row + l])</c> for the <see cref="Vector{T}"/> lanes from
    /// <paramref name="lane"/> on: the bias added in double, then one rounding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> RoundLanes(ReadOnlySpan<double> sums, ReadOnlySpan<float> bias, int row, int lane)
    {
        ref double s = ref Unsafe.Add(ref MemoryMarshal.GetReference(sums), lane);
        var lo = Vector.LoadUnsafe(ref s);
        var hi = Vector.LoadUnsafe(ref s, (nuint)Vector<double>.Count);
        if (!bias.IsEmpty)
        {
            Vector.Widen(Vector.LoadUnsafe(ref MemoryMarshal.GetReference(bias), (nuint)(row + lane)), out var bl, out var bh);
            lo += bl;
            hi += bh;
        }

        return Vector.Narrow(lo, hi);
    }
#endif

    /// <summary>
    /// An epilogue other than ReLU over part of a panel, through the activation's own step: each
    /// element gives the same bits there as in a vector (see <c>VectorFunctions</c>).
    /// </summary>
    private static void Activate(Epilogue activation, ReadOnlySpan<float> z, Span<float> a)
    {
        switch (activation)
        {
            case Epilogue.Gelu:
                Activations.Gelu(z, a);
                break;
            case Epilogue.GeluTanh:
                Activations.GeluTanh(z, a);
                break;
            case Epilogue.Sigmoid:
                Activations.Sigmoid(z, a);
                break;
            case Epilogue.Silu:
                Activations.Silu(z, a);
                break;
            case Epilogue.Tanh:
                Activations.Tanh(z, a);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Expected an activation computed by its own step.");
        }
    }

    /// <summary>One output, <c>(float)(sums[l] + bias[row + l])</c>: the bias added in double, then one rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Round(ReadOnlySpan<double> sums, ReadOnlySpan<float> bias, int row, int l) =>
        (float)(bias.IsEmpty ? sums[l] : sums[l] + bias[row + l]);

#if NET8_0_OR_GREATER
    /// <summary>A whole panel's <c>(float)(sums[l] + bias[row + l])</c>: the bias added in double, then one rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Round(ReadOnlySpan<double> sums, ReadOnlySpan<float> bias, int row)
    {
        ref double s = ref MemoryMarshal.GetReference(sums);
        var lo = Vector512.LoadUnsafe(ref s);
        var hi = Vector512.LoadUnsafe(ref s, 8);
        if (!bias.IsEmpty)
        {
            var (bl, bh) = Vector512.Widen(Vector512.Create(bias.Slice(row, PackedLinear.PanelWidth)));
            lo += bl;
            hi += bh;
        }

        return Vector512.Narrow(lo, hi);
    }

    /// <summary>
    /// <c>v ≤ 0 ? +0 : v</c> per lane, as <see cref="SpecialFunctions.Relu"/> (the scalar stores)
    /// and <see cref="Activations.Relu"/> compute it: −0 becomes +0, and NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Relu(Vector512<float> v) =>
        Vector512.ConditionalSelect(Vector512.LessThanOrEqual(v, Vector512<float>.Zero), Vector512<float>.Zero, v);
#endif
}
