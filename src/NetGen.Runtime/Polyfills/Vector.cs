#if !NET8_0_OR_GREATER
using System.Numerics;
using System.Runtime.CompilerServices;

namespace NetGen.Runtime;

/// <summary>
/// The members of <see cref="System.Numerics.Vector"/> the kernels call, for the netstandard2.1
/// build (Unity), whose <c>Vector</c> lacks those .NET 7 added: loads and stores by reference,
/// <c>ShiftLeft</c> and <c>Sum</c>. A type of the runtime's own namespace comes before an
/// imported one, so the same kernel source compiles against this class there and against
/// <see cref="System.Numerics.Vector"/> everywhere else.
/// </summary>
internal static class Vector
{
    public static bool IsHardwareAccelerated => System.Numerics.Vector.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> LoadUnsafe(ref float source, nuint offset) =>
        Unsafe.ReadUnaligned<Vector<float>>(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref source, (nint)offset)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreUnsafe(this Vector<float> value, ref float destination, nuint offset) =>
        Unsafe.WriteUnaligned(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref destination, (nint)offset)), value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Abs(Vector<float> value) => System.Numerics.Vector.Abs(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> SquareRoot(Vector<float> value) => System.Numerics.Vector.SquareRoot(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Max(Vector<float> left, Vector<float> right) => System.Numerics.Vector.Max(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Min(Vector<float> left, Vector<float> right) => System.Numerics.Vector.Min(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<int> Equals(Vector<float> left, Vector<float> right) => System.Numerics.Vector.Equals(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<int> GreaterThan(Vector<float> left, Vector<float> right) => System.Numerics.Vector.GreaterThan(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<int> GreaterThanOrEqual(Vector<float> left, Vector<float> right) => System.Numerics.Vector.GreaterThanOrEqual(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<int> LessThan(Vector<float> left, Vector<float> right) => System.Numerics.Vector.LessThan(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> ConditionalSelect(Vector<int> condition, Vector<float> left, Vector<float> right) =>
        System.Numerics.Vector.ConditionalSelect(condition, left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> ConditionalSelect(Vector<float> condition, Vector<float> left, Vector<float> right) =>
        System.Numerics.Vector.ConditionalSelect(condition, left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<int> AsVectorInt32(Vector<float> value) => System.Numerics.Vector.AsVectorInt32(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> AsVectorSingle(Vector<int> value) => System.Numerics.Vector.AsVectorSingle(value);

    /// <summary><c>value &lt;&lt; count</c> per lane, as a multiplication by 2^count (the same bits, modulo 2³²).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<int> ShiftLeft(Vector<int> value, int count) => value * new Vector<int>(1 << count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Widen(Vector<float> source, out Vector<double> low, out Vector<double> high) =>
        System.Numerics.Vector.Widen(source, out low, out high);

    /// <summary>The sum of the lanes, as <c>Vector.Sum</c> adds them: in lane order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(Vector<double> value)
    {
        double sum = 0;
        for (int i = 0; i < Vector<double>.Count; i++)
        {
            sum += value[i];
        }

        return sum;
    }
}
#endif
