using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NetGen.Onnx.Proto;

namespace NetGen.Onnx;

/// <summary>A constant of the graph: an initializer, a <c>Constant</c> node's value or a frozen input.</summary>
internal sealed record Constant(string Name, long[] Shape, float[] Values)
{
    public string ShapeText => OnnxTensors.Format(Shape);

    /// <summary>True when the constant holds one value, whatever its rank.</summary>
    public bool IsScalar => Values.Length == 1;
}

/// <summary>Reads <see cref="TensorProto"/> data as float32, whichever field holds it.</summary>
internal static class OnnxTensors
{
    public static string Format(IEnumerable<long> shape) => "[" + string.Join(", ", shape.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";

    /// <summary>The tensor's values as float32; doubles and integers are converted, anything else is an error.</summary>
    /// <param name="tensor">The tensor to read.</param>
    /// <param name="baseDirectory">Where external data files are looked up (the model's folder); null when unknown.</param>
    /// <param name="error">Makes the exception for a message about the tensor.</param>
    public static Constant Read(TensorProto tensor, string? baseDirectory, Func<string, Exception> error)
    {
        long[] shape = tensor.Dims.ToArray();
        long count = 1;
        foreach (long d in shape)
        {
            if (d < 0)
            {
                throw error($"tensor '{tensor.Name}' has a negative dimension in its shape {Format(shape)}");
            }

            count *= d;
            if (count > int.MaxValue)
            {
                throw error($"tensor '{tensor.Name}' has {Format(shape)} elements, more than a .NET array holds");
            }
        }

        // Data lives in one of three places: raw little-endian bytes, a typed repeated field, or
        // an external file beside the model (raw bytes again).
        bool external = tensor.DataLocation == TensorProto.Types.DataLocation.External;
        bool useRaw = tensor.HasRawData || external;
        ReadOnlySpan<byte> raw = external ? ReadExternal(tensor, baseDirectory, error) : tensor.RawData.Span;

        var type = (TensorProto.Types.DataType)tensor.DataType;
        float[] values = type switch
        {
            TensorProto.Types.DataType.Float => useRaw
                ? FromRaw(raw, 4, count, tensor, error, (b) => BinaryPrimitives.ReadSingleLittleEndian(b))
                : Checked(tensor.FloatData.ToArray(), count, tensor, error),
            TensorProto.Types.DataType.Double => useRaw
                ? FromRaw(raw, 8, count, tensor, error, (b) => (float)BinaryPrimitives.ReadDoubleLittleEndian(b))
                : Checked(tensor.DoubleData.Select(v => (float)v).ToArray(), count, tensor, error),
            TensorProto.Types.DataType.Int64 => useRaw
                ? FromRaw(raw, 8, count, tensor, error, (b) => BinaryPrimitives.ReadInt64LittleEndian(b))
                : Checked(tensor.Int64Data.Select(v => (float)v).ToArray(), count, tensor, error),
            TensorProto.Types.DataType.Int32 => useRaw
                ? FromRaw(raw, 4, count, tensor, error, (b) => BinaryPrimitives.ReadInt32LittleEndian(b))
                : Checked(tensor.Int32Data.Select(v => (float)v).ToArray(), count, tensor, error),
            _ => throw error($"tensor '{tensor.Name}' has data type {TypeName(tensor.DataType)}; NetGen reads float, double, int32 and int64 constants"),
        };

        foreach (float v in values)
        {
            if (!float.IsFinite(v))
            {
                throw error($"tensor '{tensor.Name}' holds {v.ToString(System.Globalization.CultureInfo.InvariantCulture)}; every weight must be a finite float32");
            }
        }

        return new Constant(tensor.Name, shape, values);
    }

    public static string TypeName(int dataType) =>
        Enum.IsDefined(typeof(TensorProto.Types.DataType), dataType)
            ? ((TensorProto.Types.DataType)dataType).ToString().ToUpperInvariant()
            : "#" + dataType.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private delegate float Element(ReadOnlySpan<byte> bytes);

    private static float[] FromRaw(ReadOnlySpan<byte> raw, int width, long count, TensorProto tensor, Func<string, Exception> error, Element read)
    {
        if (raw.Length != count * width)
        {
            throw error($"tensor '{tensor.Name}' of shape {Format(tensor.Dims)} needs {count * width} bytes of {TypeName(tensor.DataType)} data; it has {raw.Length}");
        }

        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = read(raw.Slice(i * width, width));
        }

        return values;
    }

    private static float[] Checked(float[] values, long count, TensorProto tensor, Func<string, Exception> error) =>
        values.LongLength == count
            ? values
            : throw error($"tensor '{tensor.Name}' of shape {Format(tensor.Dims)} needs {count} values; it has {values.Length}");

    private static byte[] ReadExternal(TensorProto tensor, string? baseDirectory, Func<string, Exception> error)
    {
        string? location = null;
        long offset = 0;
        long length = -1;
        foreach (var entry in tensor.ExternalData)
        {
            switch (entry.Key)
            {
                case "location": location = entry.Value; break;
                case "offset": offset = long.Parse(entry.Value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "length": length = long.Parse(entry.Value, System.Globalization.CultureInfo.InvariantCulture); break;
            }
        }

        if (location is null || baseDirectory is null)
        {
            throw error($"tensor '{tensor.Name}' keeps its data in an external file{(location is null ? " that it does not name" : $" '{location}', and the model's folder is not known")}");
        }

        string path = Path.GetFullPath(Path.Combine(baseDirectory, location));
        if (!File.Exists(path))
        {
            throw error($"tensor '{tensor.Name}' keeps its data in '{location}', which does not exist beside the model");
        }

        using var stream = File.OpenRead(path);
        if (length < 0)
        {
            length = stream.Length - offset;
        }

        if (offset < 0 || length < 0 || offset + length > stream.Length)
        {
            throw error($"tensor '{tensor.Name}' reads bytes {offset} to {offset + length} of '{location}', which has {stream.Length}");
        }

        var bytes = new byte[length];
        stream.Position = offset;
        stream.ReadExactly(bytes);
        return bytes;
    }
}
