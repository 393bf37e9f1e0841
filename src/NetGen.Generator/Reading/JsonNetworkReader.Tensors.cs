using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Model;

namespace NetGen.Generator.Reading;

/// <summary>Tensors: nested arrays, base64 data and weight files, with their shapes and values checked.</summary>
internal sealed partial class JsonNetworkReader
{
    /// <summary>The most elements a <c>"file"</c> tensor may have: 1 Gi floats (4 GiB), within a span's length once packed.</summary>
    public const long MaxFileElements = 1L << 30;

    /// <summary>The largest <c>"offset"</c>: 2⁵³, past which a JSON number is no longer an exact integer.</summary>
    private const double MaxFileOffset = 9007199254740992.0;

    private TensorSpec? ReadTensor(JsonObject owner, Dictionary<string, JsonProperty> keys, string key, string where, int rank, bool required)
    {
        if (!keys.TryGetValue(key, out var property))
        {
            if (required)
            {
                ReportMissing(owner, key, where);
            }

            return null;
        }

        string what = Quote(key);
        JsonNode node = property.Value;
        return node switch
        {
            JsonArray array => rank == 1 ? ReadVector(array, what) : ReadMatrix(array, what),
            JsonObject encoded => ReadEncodedTensor(encoded, what, rank),
            _ => ReportNull(DiagnosticDescriptors.WrongType, node, rank == 1 ? "a vector (an array of numbers)" : "a matrix (an array of rows)", what, node.Describe()),
        };
    }

    /// <summary>A key that is a number (one value for every feature, read as a vector of one) or a vector; null when absent or reported.</summary>
    private TensorSpec? ReadScalarOrVector(Dictionary<string, JsonProperty> keys, string key)
    {
        if (!keys.TryGetValue(key, out var property))
        {
            return null;
        }

        if (property.Value is JsonNumber number)
        {
            return TryReadElement(number, Quote(key), out float value)
                ? new TensorSpec(new EquatableArray<int>(new[] { 1 }), new EquatableArray<float>(new[] { value }), RangeOf(number))
                : null;
        }

        return property.Value switch
        {
            JsonArray array => ReadVector(array, Quote(key)),
            JsonObject encoded => ReadEncodedTensor(encoded, Quote(key), 1),
            _ => ReportNull(DiagnosticDescriptors.WrongType, property.Value, "a number or a vector (an array of numbers)", Quote(key), property.Value.Describe()),
        };
    }

    private TensorSpec? ReadVector(JsonArray array, string what)
    {
        var values = new float[array.Items.Count];
        bool ok = true;
        for (int i = 0; i < values.Length; i++)
        {
            ok &= TryReadElement(array.Items[i], what, out values[i]);
        }

        return ok ? new TensorSpec(new EquatableArray<int>(new[] { values.Length }), new EquatableArray<float>(values), RangeOf(array)) : null;
    }

    private TensorSpec? ReadMatrix(JsonArray array, string what)
    {
        int rows = array.Items.Count;
        if (rows == 0)
        {
            return new TensorSpec(new EquatableArray<int>(new[] { 0, 0 }), EquatableArray<float>.Empty, RangeOf(array));
        }

        if (array.Items[0] is not JsonArray firstRow)
        {
            Report(DiagnosticDescriptors.WrongShape, array, what, "a matrix (an array of rows)",
                array.Items.All(i => i is JsonNumber) ? $"a flat array of {rows} numbers" : "an array of " + array.Items[0].Describe() + "s");
            return null;
        }

        int columns = firstRow.Items.Count;
        var values = new float[(long)rows * columns > int.MaxValue ? 0 : rows * columns];
        bool ok = values.Length == rows * columns;
        for (int r = 0; r < rows && ok; r++)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            if (array.Items[r] is not JsonArray row)
            {
                Report(DiagnosticDescriptors.WrongType, array.Items[r], "a row (an array of numbers)", $"row {r + 1} of {what}", array.Items[r].Describe());
                ok = false;
                break;
            }

            if (row.Items.Count != columns)
            {
                Report(DiagnosticDescriptors.WrongShape, row, $"row {r + 1} of {what}",
                    $"{columns} elements (every row as long as the first)", $"{row.Items.Count}");
                ok = false;
                break;
            }

            for (int c = 0; c < columns; c++)
            {
                ok &= TryReadElement(row.Items[c], what, out values[(r * columns) + c]);
            }
        }

        return ok ? new TensorSpec(new EquatableArray<int>(new[] { rows, columns }), new EquatableArray<float>(values), RangeOf(array)) : null;
    }

    private bool TryReadElement(JsonNode node, string what, out float value)
    {
        value = 0;
        if (node is not JsonNumber number)
        {
            Report(DiagnosticDescriptors.WrongType, node, "a number", "an element of " + what, node.Describe());
            return false;
        }

        value = (float)number.Value;
        if (float.IsInfinity(value))
        {
            Report(DiagnosticDescriptors.NonFiniteValue, number, "an element of " + what, Literal(number) + " (it rounds to infinity in float32)");
            return false;
        }

        return true;
    }

    private TensorSpec? ReadEncodedTensor(JsonObject obj, string what, int rank)
    {
        string where = "the tensor " + what;
        var keys = Keys(obj, where, TensorKeys);
        bool ok = true;

        if (!keys.TryGetValue("dtype", out var dtype))
        {
            ReportMissing(obj, "dtype", where);
            ok = false;
        }
        else if (dtype.Value is not JsonString { Value: "f32" })
        {
            Report(DiagnosticDescriptors.InvalidValue, dtype.Value, "\"dtype\"", "\"f32\"", Quote(dtype.Value));
            ok = false;
        }

        int[]? shape = ReadShape(obj, keys, where, rank);
        ok &= shape is not null;

        keys.TryGetValue("base64", out var base64);
        if (keys.TryGetValue("file", out var file))
        {
            if (base64 is not null)
            {
                Report(DiagnosticDescriptors.UnknownKey, base64.NameStart, base64.NameEnd, "base64", where + " with a \"file\"", "shape, dtype, file, offset");
                ok = false;
            }

            return ReadFileTensor(obj, keys, file, what, shape, ok);
        }

        if (base64 is null)
        {
            ReportMissing(obj, "base64", where);
            return null;
        }

        if (keys.TryGetValue("offset", out var offset))
        {
            Report(DiagnosticDescriptors.UnknownKey, offset.NameStart, offset.NameEnd, "offset", where + " with \"base64\" data", "shape, dtype, base64");
            ok = false;
        }

        if (base64.Value is not JsonString data)
        {
            Report(DiagnosticDescriptors.WrongType, base64.Value, "a base64 string", "\"base64\"", base64.Value.Describe());
            return null;
        }

        if (!ok || shape is null)
        {
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(data.Value);
        }
        catch (FormatException)
        {
            Report(DiagnosticDescriptors.InvalidValue, data, "\"base64\"", "base64 text (RFC 4648, with padding)", "characters that are not base64");
            return null;
        }

        long count = 1;
        foreach (int d in shape)
        {
            count *= d;
        }

        if (bytes.Length != count * 4)
        {
            Report(DiagnosticDescriptors.WrongShape, data, "the \"base64\" data of " + what,
                $"{count.ToString(CultureInfo.InvariantCulture)} float32 values ({(count * 4).ToString(CultureInfo.InvariantCulture)} bytes) for shape {Text.Shape(shape)}",
                $"{bytes.Length.ToString(CultureInfo.InvariantCulture)} bytes");
            return null;
        }

        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            // Little-endian by definition of the format, whatever the build machine's order.
            int bits = bytes[4 * i] | (bytes[(4 * i) + 1] << 8) | (bytes[(4 * i) + 2] << 16) | (bytes[(4 * i) + 3] << 24);
            float v = BitConverter.ToSingle(BitConverter.GetBytes(bits), 0);
            if (float.IsNaN(v) || float.IsInfinity(v))
            {
                Report(DiagnosticDescriptors.NonFiniteValue, data, $"element {i.ToString(CultureInfo.InvariantCulture)} of the \"base64\" data of {what}",
                    float.IsNaN(v) ? "NaN" : v > 0 ? "+infinity" : "-infinity");
                return null;
            }

            values[i] = v;
        }

        return new TensorSpec(new EquatableArray<int>(shape), new EquatableArray<float>(values), RangeOf(obj));
    }

    /// <summary>
    /// The <c>"file"</c> encoding: the values are raw little-endian float32 in a file beside the
    /// description, from byte <c>"offset"</c> on. The build embeds the file as a resource and
    /// tells the generator its length; the values themselves are read only at run time.
    /// </summary>
    private TensorSpec? ReadFileTensor(JsonObject obj, Dictionary<string, JsonProperty> keys, JsonProperty file, string what, int[]? shape, bool ok)
    {
        if (file.Value is not JsonString { Value.Length: > 0 } name)
        {
            Report(DiagnosticDescriptors.WrongType, file.Value, "a file name relative to the description", "\"file\"", file.Value.Describe());
            return null;
        }

        long offset = 0;
        if (keys.TryGetValue("offset", out var offsetProperty))
        {
            if (offsetProperty.Value is not JsonNumber n || n.Value != Math.Floor(n.Value) || n.Value < 0 || n.Value > MaxFileOffset)
            {
                Report(DiagnosticDescriptors.InvalidValue, offsetProperty.Value, "\"offset\"", "a byte offset: an integer of 0 or more",
                    offsetProperty.Value is JsonNumber number ? Literal(number) : offsetProperty.Value.Describe());
                return null;
            }

            offset = (long)n.Value;
        }

        if (!ok || shape is null)
        {
            return null;
        }

        long count = 1;
        foreach (int d in shape)
        {
            count *= d;
        }

        if (count > MaxFileElements)
        {
            Report(DiagnosticDescriptors.WrongShape, keys["shape"].Value, "the \"shape\" of " + what,
                $"at most {MaxFileElements.ToString(CultureInfo.InvariantCulture)} elements (a span's length)", $"{Text.Shape(shape)}, {count.ToString(CultureInfo.InvariantCulture)} elements");
            return null;
        }

        string fullPath = WeightFiles.Resolve(_path, name.Value);
        WeightFile? weights = _findWeightFile(fullPath);
        long needed = offset + (count * 4);
        if (weights is null)
        {
            Report(DiagnosticDescriptors.WeightFileUnavailable, name, name.Value,
                $"a NetGenWeights item of the project at {fullPath}", "none (list the file as <NetGenWeights Include=\"...\" /> so the build embeds it)");
            return null;
        }

        if (weights.Length < needed)
        {
            Report(DiagnosticDescriptors.WeightFileUnavailable, name, name.Value,
                $"at least {needed.ToString(CultureInfo.InvariantCulture)} bytes (offset {offset.ToString(CultureInfo.InvariantCulture)} plus {count.ToString(CultureInfo.InvariantCulture)} float32 values for shape {Text.Shape(shape)})",
                $"{weights.Length.ToString(CultureInfo.InvariantCulture)} bytes");
            return null;
        }

        return new TensorSpec(new EquatableArray<int>(shape), EquatableArray<float>.Empty, RangeOf(obj), new ExternalData(name.Value, weights.ResourceName, offset));
    }

    private int[]? ReadShape(JsonObject obj, Dictionary<string, JsonProperty> keys, string where, int rank)
    {
        if (!keys.TryGetValue("shape", out var shapeProperty))
        {
            ReportMissing(obj, "shape", where);
            return null;
        }

        string expected = rank == 1 ? "a shape of one dimension, [n]" : "a shape of two dimensions, [rows, columns]";
        if (shapeProperty.Value is not JsonArray shapeArray)
        {
            Report(DiagnosticDescriptors.WrongType, shapeProperty.Value, expected, "\"shape\"", shapeProperty.Value.Describe());
            return null;
        }

        if (shapeArray.Items.Count != rank)
        {
            Report(DiagnosticDescriptors.WrongShape, shapeArray, "\"shape\"", expected, $"{shapeArray.Items.Count.ToString(CultureInfo.InvariantCulture)} dimensions");
            return null;
        }

        var shape = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            if (shapeArray.Items[i] is not JsonNumber n || n.Value != Math.Floor(n.Value) || n.Value < 0 || n.Value > NetworkSpec.MaxFeatures)
            {
                Report(DiagnosticDescriptors.InvalidValue, shapeArray.Items[i], "a dimension of \"shape\"",
                    $"an integer from 0 to {NetworkSpec.MaxFeatures.ToString(CultureInfo.InvariantCulture)}", shapeArray.Items[i] is JsonNumber num ? Literal(num) : shapeArray.Items[i].Describe());
                return null;
            }

            shape[i] = (int)n.Value;
        }

        return shape;
    }

    private void CheckNonNegative(TensorSpec tensor, string what)
    {
        for (int i = 0; i < tensor.Values.Count; i++)
        {
            if (tensor.Values[i] < 0)
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidValue.Id, _path, tensor.Range,
                    $"element {(i + 1).ToString(CultureInfo.InvariantCulture)} of {what}", "a variance of 0 or more", tensor.Values[i].ToString("R", CultureInfo.InvariantCulture)));
                return;
            }
        }
    }
}
