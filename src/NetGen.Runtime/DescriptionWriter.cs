using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace NetGen.Runtime;

/// <summary>
/// Writes a netgen/1 description: what a trainable network's generated <c>Model.ToDescription()</c>
/// calls, layer by layer, with the model's current tensors. Tensors are written in the compact
/// base64 form (exact, and a few times shorter than decimal text); numbers culture-invariant and
/// round-trip exact; strings escaped as JSON requires.
/// </summary>
public sealed class DescriptionWriter
{
    private readonly StringBuilder _text = new();

    /// <summary>Whether the open object or array at each depth has a member already.</summary>
    private readonly Stack<bool> _open = new();

    /// <summary>The top-level array being written: <c>"layers"</c>, then <c>"inputs"</c>, then <c>"constants"</c>.</summary>
    private string _section = "layers";

    /// <summary>Starts a description of a network of <paramref name="input"/> features.</summary>
    /// <param name="input">The network's input size.</param>
    /// <param name="description">The description's free text, or null for none.</param>
    public DescriptionWriter(int input, string? description)
    {
        Begin('{');
        Value("format", "netgen/1");
        Value("input", input);
        if (description is not null)
        {
            Value("description", description);
        }

        Key("layers");
        Begin('[');
    }

    /// <summary>Opens a layer object with its <c>"op"</c>.</summary>
    public void BeginLayer(string op)
    {
        Separate();
        Begin('{');
        Value("op", op);
    }

    /// <summary>Closes the open layer object.</summary>
    public void EndLayer() => End('}');

    /// <summary>Opens a layer's array of inner layers (a residual block's <c>"layers"</c>).</summary>
    public void BeginLayers(string key)
    {
        Key(key);
        Begin('[');
    }

    /// <summary>Closes the open array of layers.</summary>
    public void EndLayers() => End(']');

    /// <summary>A string member.</summary>
    public void Value(string key, string value)
    {
        Key(key);
        Quote(value);
    }

    /// <summary>An integer member.</summary>
    public void Value(string key, int value)
    {
        Key(key);
        _text.Append(value.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>A boolean member.</summary>
    public void Value(string key, bool value)
    {
        Key(key);
        _text.Append(value ? "true" : "false");
    }

    /// <summary>An array of integers (argmax's groups).</summary>
    public void Integers(string key, params int[] values)
    {
        Key(key);
        _text.Append('[');
        for (int i = 0; i < values.Length; i++)
        {
            _text.Append(i == 0 ? string.Empty : ", ").Append(values[i].ToString(CultureInfo.InvariantCulture));
        }

        _text.Append(']');
    }

    /// <summary>A float32 member (an activation's parameter), written so that it reads back as exactly <paramref name="value"/>.</summary>
    public void Value(string key, float value)
    {
        Key(key);
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        _text.Append(float.Parse(text, CultureInfo.InvariantCulture) == value ? text : value.ToString("G9", CultureInfo.InvariantCulture));
    }

    /// <summary>A number member, written so that it reads back as exactly <paramref name="value"/>.</summary>
    public void Value(string key, double value)
    {
        Key(key);
        _text.Append(value.ToString("R", CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// A tensor member: a vector (<paramref name="columns"/> 0) of <paramref name="rows"/> values, or a
    /// matrix <c>[rows, columns]</c>, as <c>{ "shape": [...], "dtype": "f32", "base64": "..." }</c>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="values"/> does not hold the shape's count.</exception>
    public void Tensor(string key, ReadOnlySpan<float> values, int rows, int columns)
    {
        long count = columns == 0 ? rows : (long)rows * columns;
        if (values.Length != count)
        {
            throw new ArgumentException($"Expected {count} values for the tensor {key}, but there are {values.Length}.", nameof(values));
        }

        Key(key);
        _text.Append("{ \"shape\": [").Append(rows.ToString(CultureInfo.InvariantCulture));
        if (columns != 0)
        {
            _text.Append(", ").Append(columns.ToString(CultureInfo.InvariantCulture));
        }

        _text.Append("], \"dtype\": \"f32\", \"base64\": \"").Append(Base64(values)).Append("\" }");
    }

    /// <summary>
    /// A named part of the input (the top-level <c>"inputs"</c>), after every layer: the parts are
    /// written in the order of the calls.
    /// </summary>
    public void InputPart(string name, int size)
    {
        Section("inputs");
        Separate();
        Begin('{');
        Value("name", name);
        Value("size", size);
        End('}');
    }

    /// <summary>A named constant (the top-level <c>"constants"</c>), after every layer and input part.</summary>
    public void Constant(string name, ReadOnlySpan<float> values)
    {
        Section("constants");
        Separate();
        Begin('{');
        Value("name", name);
        Key("values");
        _text.Append('[');
        for (int i = 0; i < values.Length; i++)
        {
            string text = values[i].ToString("R", CultureInfo.InvariantCulture);
            _text.Append(i == 0 ? string.Empty : ", ").Append(float.Parse(text, CultureInfo.InvariantCulture) == values[i] ? text : values[i].ToString("G9", CultureInfo.InvariantCulture));
        }

        _text.Append(']');
        End('}');
    }

    /// <summary>The description, closed.</summary>
    public override string ToString()
    {
        var copy = new StringBuilder(_text.ToString());
        int depth = _open.Count;
        foreach (bool _ in _open)
        {
            depth--;
            copy.Append('\n').Append(' ', depth * 2).Append(depth == 0 ? '}' : ']');
        }

        return copy.Append('\n').ToString();
    }

    /// <summary>Closes the top-level array being written and opens <paramref name="key"/>'s, unless that is the one.</summary>
    private void Section(string key)
    {
        if (_section == key)
        {
            return;
        }

        if (_open.Count != 2)
        {
            throw new InvalidOperationException($"\"{key}\" is written after every layer, outside any layer.");
        }

        End(']');
        Key(key);
        Begin('[');
        _section = key;
    }

    private void Key(string key)
    {
        Separate();
        Quote(key);
        _text.Append(": ");
    }

    private void Separate()
    {
        if (_open.Count == 0)
        {
            return;
        }

        if (_open.Peek())
        {
            _text.Append(',');
        }
        else
        {
            _open.Pop();
            _open.Push(true);
        }

        _text.Append('\n').Append(' ', _open.Count * 2);
    }

    private void Begin(char bracket)
    {
        _text.Append(bracket);
        _open.Push(false);
    }

    private void End(char bracket)
    {
        _open.Pop();
        _text.Append('\n').Append(' ', _open.Count * 2).Append(bracket);
    }

    private void Quote(string value)
    {
        _text.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"':
                    _text.Append("\\\"");
                    break;
                case '\\':
                    _text.Append("\\\\");
                    break;
                case < ' ':
                    _text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    _text.Append(c);
                    break;
            }
        }

        _text.Append('"');
    }

    private static string Base64(ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            return Convert.ToBase64String(MemoryMarshal.AsBytes(values));
        }

        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), BitConverter.SingleToInt32Bits(values[i]));
        }

        return Convert.ToBase64String(bytes);
    }
}
