using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen.Runtime;

/// <summary>
/// A tensor's values on a 64-byte boundary: how <see cref="EmbeddedTensor"/> holds the matrices
/// it packs on first use, so that every <see cref="System.Runtime.Intrinsics.Vector512{T}"/>
/// load of a panel falls within one cache line.
/// </summary>
/// <remarks>
/// <para>
/// <b>Why.</b> A packed panel is read as 64-byte vectors; misaligned, each one spans two cache
/// lines, which costs <see cref="PackedLinear.Forward"/> measurably on layers in L2 and L3
/// (<c>benchmarks/README.md</c>, <i>The kernels' block length</i>). Weights written into the description are static data instead, which the
/// compiler aligns to 8 bytes at most, and which is read in place with no start-up copy, as the
/// vectorized strategy promises: where such a matrix falls within a cache line depends on the
/// rest of the assembly.
/// </para>
/// <para>
/// The memory is an array on the pinned object heap, which the garbage collector never moves,
/// so the aligned start found once stays aligned.
/// </para>
/// </remarks>
internal sealed class AlignedTensor
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

    /// <summary>Room for <paramref name="count"/> floats on a 64-byte boundary, for the caller to fill before publishing it.</summary>
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
