using System;
using System.Buffers.Binary;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading;

namespace NetGen.Runtime;

/// <summary>
/// A weight tensor stored as raw little-endian float32 in a manifest resource of an assembly:
/// how generated code reads the description format's <c>"file"</c> tensors, which the build
/// embeds (the <c>NetGenWeights</c> item) instead of writing their values into C#.
/// </summary>
/// <remarks>
/// <para>
/// <b>No copy where the platform allows.</b> The runtime maps an assembly's resources with
/// the rest of its image, and <see cref="Assembly.GetManifestResourceStream(string)"/> returns
/// a stream over that memory; <see cref="Values"/> is a span over it, so a vector such as a
/// bias or a norm's γ is read in place and the operating system pages the data in as it is
/// touched. The values are copied into an array only where that memory cannot be used: an
/// assembly whose resource stream is not memory, data not aligned to 4 bytes (an
/// <c>"offset"</c> that is not a multiple of 4), or a big-endian machine.
/// </para>
/// <para>
/// <b>Matrices.</b> The linear kernels read weights in <see cref="PackedLinear"/>'s panel
/// layout, which a file in the format's row-major order is not: <see cref="Packed"/> packs the
/// matrix once, on the first call that needs it, into 64-byte-aligned memory that lives as long
/// as the tensor (one copy of the matrix, made once: the benchmarks' G1, 8.4M weights in a 32 MiB file,
/// takes 45 ms for its first <c>Forward</c>, page faults and JIT included, and 3.5 ms for the second).
/// </para>
/// <para>
/// Opening is lazy: constructing the tensor reads nothing, and a missing or short resource is
/// an <see cref="InvalidOperationException"/> on first use that names the resource. Every
/// member is safe to call from several threads.
/// </para>
/// </remarks>
public sealed class EmbeddedTensor
{
    private readonly Assembly _assembly;
    private readonly string _resourceName;
    private readonly long _offset;
    private readonly int _count;

    // Set once by Open, published through the volatile _opened flag.
    private unsafe float* _pointer;
    private float[]? _copy;
    private volatile bool _opened;

    private AlignedTensor? _packed;

    /// <summary>Describes <paramref name="count"/> floats at byte <paramref name="offset"/> of a resource; reads nothing yet.</summary>
    /// <param name="assembly">The assembly that embeds the resource (generated code passes its own).</param>
    /// <param name="resourceName">The manifest resource's name.</param>
    /// <param name="offset">The byte where the tensor starts in the resource.</param>
    /// <param name="count">The number of float32 values.</param>
    /// <exception cref="ArgumentNullException"><paramref name="assembly"/> or <paramref name="resourceName"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> or <paramref name="count"/> is negative.</exception>
    public EmbeddedTensor(Assembly assembly, string resourceName, long offset, int count)
    {
        _assembly = assembly ?? throw new ArgumentNullException(nameof(assembly));
        _resourceName = resourceName ?? throw new ArgumentNullException(nameof(resourceName));
        if (offset < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, "The offset must be 0 or more.");
        }

        if (count < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "The count must be 0 or more.");
        }

        _offset = offset;
        _count = count;
    }

    /// <summary>The number of float32 values.</summary>
    public int Count => _count;

    /// <summary>Whether <see cref="Values"/> reads the resource in place (false once it had to be copied, or before first use).</summary>
    public bool IsMapped
    {
        get
        {
            unsafe
            {
                return _opened && _pointer != null;
            }
        }
    }

    /// <summary>The values, row-major as the file holds them; opens the resource on first use.</summary>
    /// <exception cref="InvalidOperationException">The assembly has no such resource, or it is too short.</exception>
    public ReadOnlySpan<float> Values
    {
        get
        {
            if (!_opened)
            {
                Open();
            }

            unsafe
            {
                return _pointer != null ? new ReadOnlySpan<float>(_pointer, _count) : _copy;
            }
        }
    }

    /// <summary>
    /// The values as a <c>[rows, columns]</c> matrix in <see cref="PackedLinear"/>'s panel layout,
    /// packed on the first call and kept, on a 64-byte boundary (see <see cref="AlignedTensor"/>).
    /// </summary>
    /// <exception cref="ArgumentException"><c>rows × columns</c> is not <see cref="Count"/>.</exception>
    /// <exception cref="InvalidOperationException">The assembly has no such resource, or it is too short.</exception>
    public ReadOnlySpan<float> Packed(int rows, int columns)
    {
        AlignedTensor? packed = Volatile.Read(ref _packed);
        if (packed is null)
        {
            if ((long)rows * columns != _count || rows < 0)
            {
                throw new ArgumentException($"A [{rows}, {columns}] matrix has {(long)rows * columns} values; this tensor has {_count}.", nameof(rows));
            }

            var aligned = new AlignedTensor(PackedLinear.PackedLength(rows, columns));
            PackedLinear.Pack(Values, rows, columns, aligned.Writable);
            packed = aligned;

            // A thread that raced this one keeps whichever array was published first.
            packed = Interlocked.CompareExchange(ref _packed, packed, null) ?? packed;
        }

        return packed.Values;
    }

    private unsafe void Open()
    {
        using Stream stream = _assembly.GetManifestResourceStream(_resourceName)
            ?? throw new InvalidOperationException(
                $"The assembly {_assembly.GetName().Name} has no resource \"{_resourceName}\". NetGen's build embeds each NetGenWeights item of the project; "
                + "was the file removed from the project after the network was generated?");
        long needed = _offset + ((long)_count * sizeof(float));
        if (stream.Length < needed)
        {
            throw new InvalidOperationException(
                $"The resource \"{_resourceName}\" of {_assembly.GetName().Name} has {stream.Length} bytes; the tensor needs {needed} (offset {_offset} plus {_count} float32 values).");
        }

        if (stream is UnmanagedMemoryStream memory && BitConverter.IsLittleEndian)
        {
            byte* start = memory.PositionPointer + _offset;
            if (((nint)start & (sizeof(float) - 1)) == 0)
            {
                _pointer = (float*)start;
                _opened = true;
                return;
            }
        }

        _copy = Read(stream);
        _opened = true;
    }

    /// <summary>Reads the values into an array, converting from little-endian where the machine is not.</summary>
    private float[] Read(Stream stream)
    {
        var values = new float[_count];
        Span<byte> bytes = MemoryMarshal.AsBytes(values.AsSpan());
        stream.Position = _offset;
        while (bytes.Length > 0)
        {
            int read = stream.Read(bytes);
            if (read == 0)
            {
                throw new InvalidOperationException($"The resource \"{_resourceName}\" ended early.");
            }

            bytes = bytes.Slice(read);
        }

        if (!BitConverter.IsLittleEndian)
        {
            Span<int> words = MemoryMarshal.Cast<float, int>(values.AsSpan());
#if NET8_0_OR_GREATER
            BinaryPrimitives.ReverseEndianness(words, words);
#else
            for (int i = 0; i < words.Length; i++)
            {
                words[i] = BinaryPrimitives.ReverseEndianness(words[i]);
            }
#endif
        }

        return values;
    }
}
