using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen.Runtime;

/// <summary>
/// A tensor's values copied once to a 64-byte boundary: how generated code holds the packed
/// weight matrices that its vectorized loops and the kernels stream, so that every
/// <see cref="System.Runtime.Intrinsics.Vector512{T}"/> load of a panel falls within one cache line.
/// </summary>
/// <remarks>
/// <para>
/// <b>Why a copy.</b> The compiler places static data (<c>ReadOnlySpan&lt;float&gt;</c> over an
/// array literal) at an address aligned to 8 bytes at most, and where within a cache line it
/// lands depends on everything else in the assembly, so it moved from build to build. A packed
/// panel is read as 64-byte vectors; misaligned, each one spans two cache lines. Measured on a
/// layer of N2's (784 → 128, its weights in L2), <see cref="PackedLinear.Forward"/> took 1.67 to
/// 1.70 µs over aligned weights and 1.94 to 1.97 µs over weights 8, 16 or 32 bytes off; on N3's
/// 512 → 2048 (L3), 39.7 to 40.2 against 42.0 to 42.8 µs. The copy costs one pass over the
/// matrix, once per process, when the network's weights are first touched.
/// </para>
/// <para>
/// The memory is an array on the pinned object heap, which the garbage collector never moves,
/// so the aligned start found once stays aligned. The tensor is immutable and safe to share
/// between threads.
/// </para>
/// </remarks>
public sealed class AlignedTensor
{
    /// <summary>The boundary the values start on, in bytes: one cache line, one <see cref="System.Runtime.Intrinsics.Vector512{T}"/>.</summary>
    public const int Alignment = 64;

    private readonly float[] _array;
    private readonly int _start;
    private readonly int _count;

    /// <summary>Copies <paramref name="values"/> to memory that starts on a 64-byte boundary.</summary>
    public AlignedTensor(ReadOnlySpan<float> values)
        : this(values.Length)
    {
        values.CopyTo(Writable);
    }

    /// <summary>Room for <paramref name="count"/> floats on a 64-byte boundary, for a caller in this assembly to fill before publishing it.</summary>
    internal AlignedTensor(int count)
    {
        if (count < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "The count must be 0 or more.");
        }

        const int Slack = (Alignment / sizeof(float)) - 1;
        _array = GC.AllocateUninitializedArray<float>(checked(count + Slack), pinned: true);
        _start = (int)((Alignment - (Address(_array) % Alignment)) % Alignment) / sizeof(float);
        _count = count;
    }

    /// <summary>The number of floats.</summary>
    public int Count => _count;

    /// <summary>The values, starting on a 64-byte boundary.</summary>
    public ReadOnlySpan<float> Values
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_array), _start), _count);
    }

    /// <summary>The values, for the constructor that fills them.</summary>
    internal Span<float> Writable => _array.AsSpan(_start, _count);

    private static unsafe nuint Address(float[] array) => (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
}
