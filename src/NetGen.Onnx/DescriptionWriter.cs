using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace NetGen.Onnx;

/// <summary>One layer of a <c>netgen/1</c> description: its op, and its keys in the order the format's spec lists them.</summary>
internal abstract record Layer(string Op)
{
    /// <summary>The keys after <c>op</c>, absent ones left out: values are int, float, string, <see cref="TensorValue"/> or a list of layers.</summary>
    public abstract IEnumerable<KeyValuePair<string, object>> Keys { get; }

    protected static KeyValuePair<string, object> Key(string key, object value) => new(key, value);
}

/// <summary><c>linear</c>: <c>y = W x + b</c>.</summary>
internal sealed record LinearLayer(int Out, TensorValue Weight, TensorValue? Bias) : Layer("linear")
{
    public override IEnumerable<KeyValuePair<string, object>> Keys
    {
        get
        {
            yield return Key("out", Out);
            yield return Key("weight", Weight);
            if (Bias is not null)
            {
                yield return Key("bias", Bias);
            }
        }
    }
}

/// <summary>
/// An activation of the format: <paramref name="Op"/> with its parameters (leaky_relu's and
/// elu's <c>alpha</c>, clip's <c>min</c> and <c>max</c>, ...) and gelu's <c>approximate</c> where given.
/// </summary>
internal sealed record ActivationLayer(string Op, string? Approximate = null, params (string Key, float Value)[] Parameters) : Layer(Op)
{
    public override IEnumerable<KeyValuePair<string, object>> Keys
    {
        get
        {
            foreach (var (key, value) in Parameters)
            {
                yield return Key(key, value);
            }

            if (Approximate is not null)
            {
                yield return Key("approximate", Approximate);
            }
        }
    }
}

/// <summary>
/// <c>affine</c>: <c>y = x ⊙ scale + shift</c>, each one value (written as a number) or one per
/// feature, or absent.
/// </summary>
internal sealed record AffineLayer(float[]? Scale, float[]? Shift) : Layer("affine")
{
    public override IEnumerable<KeyValuePair<string, object>> Keys
    {
        get
        {
            if (Scale is not null)
            {
                yield return Key("scale", Value(Scale));
            }

            if (Shift is not null)
            {
                yield return Key("shift", Value(Shift));
            }
        }
    }

    private static object Value(float[] values) => values.Length == 1 ? values[0] : new TensorValue(new[] { values.Length }, values);
}

/// <summary><c>slice</c>: the features <c>[Start, End)</c>.</summary>
internal sealed record SliceLayer(int Start, int End) : Layer("slice")
{
    public override IEnumerable<KeyValuePair<string, object>> Keys => new[] { Key("start", Start), Key("end", End) };
}

/// <summary>
/// <c>mask</c>: <c>y = x ⊙ m + Fill ⊙ (1 − m)</c>, <c>m</c> the features of the input part
/// <paramref name="Input"/> from <paramref name="Start"/>.
/// </summary>
internal sealed record MaskLayer(string Input, int Start, float Fill) : Layer("mask")
{
    public override IEnumerable<KeyValuePair<string, object>> Keys => new[] { Key("input", Input), Key("start", Start), Key("fill", Fill) };
}

/// <summary><c>argmax</c> of each group of features (null: one group of all of them), the first or the <paramref name="Last"/> of equal values.</summary>
internal sealed record ArgMaxLayer(int[]? Groups, bool Last = false) : Layer("argmax")
{
    public override IEnumerable<KeyValuePair<string, object>> Keys
    {
        get
        {
            if (Groups is not null)
            {
                yield return Key("groups", Groups);
            }

            if (Last)
            {
                yield return Key("last", true);
            }
        }
    }
}

/// <summary><c>layer_norm</c> over the features.</summary>
internal sealed record LayerNormLayer(float Eps, TensorValue Weight, TensorValue? Bias) : Layer("layer_norm")
{
    public override IEnumerable<KeyValuePair<string, object>> Keys
    {
        get
        {
            yield return Key("eps", Eps);
            yield return Key("weight", Weight);
            if (Bias is not null)
            {
                yield return Key("bias", Bias);
            }
        }
    }
}

/// <summary><c>batch_norm</c> in inference form, with its running statistics.</summary>
internal sealed record BatchNormLayer(float Eps, TensorValue RunningMean, TensorValue RunningVar, TensorValue Weight, TensorValue Bias) : Layer("batch_norm")
{
    public override IEnumerable<KeyValuePair<string, object>> Keys => new[]
    {
        Key("eps", Eps), Key("running_mean", RunningMean), Key("running_var", RunningVar), Key("weight", Weight), Key("bias", Bias),
    };
}

/// <summary><c>residual</c>: <c>y = x + f(x)</c> over its inner layers.</summary>
internal sealed record ResidualLayer(IReadOnlyList<Layer> Layers) : Layer("residual")
{
    public override IEnumerable<KeyValuePair<string, object>> Keys => new[] { Key("layers", Layers) };
}

/// <summary>A named part of the network's input (the description's <c>"inputs"</c>).</summary>
internal sealed record InputPartValue(string Name, int Size);

/// <summary>A named constant (the description's <c>"constants"</c>): a graph output that depends on no input.</summary>
internal sealed record ConstantValue(string Name, float[] Values);

/// <summary>A vector (one dimension) or a row-major matrix (two).</summary>
internal sealed record TensorValue(int[] Shape, float[] Values);

/// <summary>
/// Writes a <c>netgen/1</c> description: one layer per line, small tensors as JSON arrays
/// (readable), larger ones as base64 float32 (compact and exact). Every number is written
/// in its shortest round-trip form, so reading it back gives the same float32 bit for bit.
/// The output depends on nothing but its input: no culture, no clock.
/// </summary>
internal static class DescriptionWriter
{
    /// <summary>Tensors with at most this many elements are written as JSON arrays.</summary>
    public const int InlineLimit = 64;

    public static string Write(int input, string? description, IReadOnlyList<Layer> layers) =>
        Write(input, description, layers, Array.Empty<InputPartValue>(), Array.Empty<ConstantValue>());

    public static string Write(int input, string? description, IReadOnlyList<Layer> layers, IReadOnlyList<InputPartValue> inputs, IReadOnlyList<ConstantValue> constants)
    {
        var s = new StringBuilder();
        s.Append("{\n  \"format\": \"netgen/1\",\n");
        if (description is not null)
        {
            s.Append("  \"description\": ").Append(JsonSerializer.Serialize(description)).Append(",\n");
        }

        s.Append("  \"input\": ").Append(Int(input)).Append(",\n");
        s.Append("  \"layers\": ");
        WriteLayers(s, layers, "  ");
        if (inputs.Count > 0)
        {
            s.Append(",\n  \"inputs\": [\n");
            for (int i = 0; i < inputs.Count; i++)
            {
                s.Append("    { \"name\": ").Append(JsonSerializer.Serialize(inputs[i].Name)).Append(", \"size\": ").Append(Int(inputs[i].Size)).Append(" }")
                    .Append(i + 1 < inputs.Count ? ",\n" : "\n");
            }

            s.Append("  ]");
        }

        if (constants.Count > 0)
        {
            s.Append(",\n  \"constants\": [\n");
            for (int i = 0; i < constants.Count; i++)
            {
                s.Append("    { \"name\": ").Append(JsonSerializer.Serialize(constants[i].Name)).Append(", \"values\": ");
                WriteRow(s, constants[i].Values, 0, constants[i].Values.Length);
                s.Append(" }").Append(i + 1 < constants.Count ? ",\n" : "\n");
            }

            s.Append("  ]");
        }

        s.Append("\n}\n");
        return s.ToString();
    }

    /// <summary>
    /// An ONNX name as the format's names are (letters, digits and '_', starting with a letter):
    /// other characters become '_', and a name that does not start with a letter gets an 'x'.
    /// </summary>
    public static string Name(string onnxName)
    {
        var s = new StringBuilder(onnxName.Length + 1);
        foreach (char c in onnxName)
        {
            s.Append(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' ? c : '_');
        }

        if (s.Length == 0 || !(s[0] is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z')))
        {
            s.Insert(0, 'x');
        }

        return s.ToString();
    }

    /// <summary>A layer as one line of its description, for comparing layers.</summary>
    public static string Describe(Layer layer)
    {
        var s = new StringBuilder();
        WriteLayers(s, new[] { layer }, string.Empty);
        return s.ToString();
    }

    private static void WriteLayers(StringBuilder s, IReadOnlyList<Layer> layers, string indent)
    {
        s.Append("[\n");
        for (int i = 0; i < layers.Count; i++)
        {
            s.Append(indent).Append("  { \"op\": ").Append(JsonSerializer.Serialize(layers[i].Op));
            foreach (var key in layers[i].Keys)
            {
                s.Append(", ").Append(JsonSerializer.Serialize(key.Key)).Append(": ");
                WriteValue(s, key.Value, indent + "  ");
            }

            s.Append(" }").Append(i + 1 < layers.Count ? ",\n" : "\n");
        }

        s.Append(indent).Append(']');
    }

    private static void WriteValue(StringBuilder s, object value, string indent)
    {
        switch (value)
        {
            case int i:
                s.Append(Int(i));
                break;
            case float f:
                s.Append(Number(f));
                break;
            case bool flag:
                s.Append(flag ? "true" : "false");
                break;
            case int[] integers:
                s.Append('[').Append(string.Join(", ", integers.Select(Int))).Append(']');
                break;
            case string text:
                s.Append(JsonSerializer.Serialize(text));
                break;
            case TensorValue tensor:
                WriteTensor(s, tensor);
                break;
            case IReadOnlyList<Layer> nested:
                WriteLayers(s, nested, indent);
                break;
            default:
                throw new ArgumentException($"A description value of type {value.GetType().Name} has no JSON form.", nameof(value));
        }
    }

    private static void WriteTensor(StringBuilder s, TensorValue tensor)
    {
        if (tensor.Values.Length > InlineLimit)
        {
            var bytes = new byte[tensor.Values.Length * sizeof(float)];
            for (int i = 0; i < tensor.Values.Length; i++)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), tensor.Values[i]);
            }

            s.Append("{ \"shape\": [").Append(string.Join(", ", Array.ConvertAll(tensor.Shape, Int)))
                .Append("], \"dtype\": \"f32\", \"base64\": \"").Append(Convert.ToBase64String(bytes)).Append("\" }");
            return;
        }

        if (tensor.Shape.Length == 1)
        {
            WriteRow(s, tensor.Values, 0, tensor.Values.Length);
            return;
        }

        int columns = tensor.Shape[1];
        s.Append('[');
        for (int r = 0; r < tensor.Shape[0]; r++)
        {
            if (r > 0)
            {
                s.Append(", ");
            }

            WriteRow(s, tensor.Values, r * columns, columns);
        }

        s.Append(']');
    }

    private static void WriteRow(StringBuilder s, float[] values, int start, int length)
    {
        s.Append('[');
        for (int i = 0; i < length; i++)
        {
            if (i > 0)
            {
                s.Append(", ");
            }

            s.Append(Number(values[start + i]));
        }

        s.Append(']');
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The shortest text that reads back as the same float32 ("1", "0.1", "1E-05").</summary>
    private static string Number(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}
