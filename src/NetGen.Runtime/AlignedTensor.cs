using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen.Runtime;

/// <summary>
/// A tensor's values on a 64-byte boundary: how <see cref="EmbeddedTensor"/> holds the matrices
/// it packs on first use, so that every <c>Vector512&lt;T&gt;</c>
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
    /// <summary>The boundary the values start on, in bytes: one cache line, one <c>Vector512&lt;T&gt;</c>.</summary>
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
#if NET8_0_OR_GREATER
        _array = GC.AllocateUninitializedArray<float>(checked(count + Slack), pinned: true);
#else
        // netstandard2.1 has no pinned heap: a pinning handle that is never freed keeps the array in place for the process's life, as the pinned heap does.
        _array = new float[checked(count + Slack)];
        GCHandle.Alloc(_array, GCHandleType.Pinned);
#endif
        _start = (int)((Alignment - (Address(_array) % Alignment)) % Alignment) / sizeof(float);
        _count = count;
    }

    /// <summary>The number of floats.</summary>
    public int Count => _count;

    /// <summary>The values, starting on a 64-byte boundary.</summary>
    public ReadOnlySpan<float> Values
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref FirstElement(_array), _start), _count);
    }

    /// <summary>The values, for the constructor that fills them.</summary>
    internal Span<float> Writable => _array.AsSpan(_start, _count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
#if NET8_0_OR_GREATER
    private static ref float FirstElement(float[] array) => ref MemoryMarshal.GetArrayDataReference(array);
#else
    private static ref float FirstElement(float[] array) => ref MemoryMarshal.GetReference(array.AsSpan());
#endif

    private static unsafe nuint Address(float[] array) => (nuint)Unsafe.AsPointer(ref FirstElement(array));
}
