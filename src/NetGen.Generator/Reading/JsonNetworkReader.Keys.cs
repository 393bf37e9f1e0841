using System;
using System.Collections.Generic;
using System.Globalization;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Model;

namespace NetGen.Generator.Reading;

/// <summary>Keys and values: the reading of one key of an object, and where each diagnostic points.</summary>
internal sealed partial class JsonNetworkReader
{
    /// <summary>A number key, kept with its place and text for the checker's rules; the default when absent or not a number (reported).</summary>
    private ValueSpec ReadValue(Dictionary<string, JsonProperty> keys, string key, string where, double defaultValue)
    {
        if (!keys.TryGetValue(key, out var property))
        {
            return ValueSpec.Default(key, defaultValue);
        }

        if (property.Value is not JsonNumber number)
        {
            Report(DiagnosticDescriptors.WrongType, property.Value, "a number", Quote(key) + " of " + where, property.Value.Describe());
            return ValueSpec.Default(key, defaultValue);
        }

        return new ValueSpec(key, number.Value, RangeOf(number), Quote(key), Literal(number));
    }

    private int? ReadSize(JsonObject obj, Dictionary<string, JsonProperty> keys, string key, string where, bool required)
    {
        if (!keys.TryGetValue(key, out var property))
        {
            if (required)
            {
                ReportMissing(obj, key, where);
            }

            return null;
        }

        if (property.Value is not JsonNumber number)
        {
            Report(DiagnosticDescriptors.WrongType, property.Value, "a positive integer", Quote(key), property.Value.Describe());
            return null;
        }

        if (number.Value != Math.Floor(number.Value) || number.Value < 1 || number.Value > NetworkSpec.MaxFeatures)
        {
            Report(DiagnosticDescriptors.InvalidValue, number, Quote(key), $"an integer from 1 to {NetworkSpec.MaxFeatures.ToString(CultureInfo.InvariantCulture)}", Literal(number));
            return null;
        }

        return (int)number.Value;
    }

    private double ReadNumber(Dictionary<string, JsonProperty> keys, string key, string where, double defaultValue, double min, bool minInclusive, double max, string expected)
    {
        if (!keys.TryGetValue(key, out var property))
        {
            return defaultValue;
        }

        if (property.Value is not JsonNumber number)
        {
            Report(DiagnosticDescriptors.WrongType, property.Value, "a number", Quote(key) + " of " + where, property.Value.Describe());
            return defaultValue;
        }

        double v = number.Value;
        bool inRange = !double.IsInfinity(v) && !float.IsInfinity((float)v) && (minInclusive ? v >= min : v > min) && v < max;
        if (!inRange)
        {
            Report(DiagnosticDescriptors.InvalidValue, number, Quote(key), expected, Literal(number));
            return defaultValue;
        }

        return v;
    }

    /// <summary>Indexes an object's properties by key, reporting unknown and duplicate keys.</summary>
    private Dictionary<string, JsonProperty> Keys(JsonObject obj, string where, string[] allowed)
    {
        var keys = new Dictionary<string, JsonProperty>(StringComparer.Ordinal);
        foreach (JsonProperty property in obj.Properties)
        {
            if (Array.IndexOf(allowed, property.Name) < 0)
            {
                Report(DiagnosticDescriptors.UnknownKey, property.NameStart, property.NameEnd, property.Name, where, string.Join(", ", allowed));
            }
            else if (keys.ContainsKey(property.Name))
            {
                Report(DiagnosticDescriptors.DuplicateKey, property.NameStart, property.NameEnd, property.Name, where);
            }
            else
            {
                keys.Add(property.Name, property);
            }
        }

        return keys;
    }

    private void ReportMissing(JsonObject obj, string key, string where) =>
        _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingKey.Id, _path, Head(obj), key, where));

    private TensorSpec? ReportNull(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, JsonNode node, params string[] arguments)
    {
        Report(descriptor, node, arguments);
        return null;
    }

    private void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, JsonNode node, params string[] arguments) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor.Id, _path, RangeOf(node), arguments));

    private void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, int start, int end, params string[] arguments) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor.Id, _path, _lines.Range(start, end), arguments));

    /// <summary>The range of a value; long values (big arrays, objects) are cut to their first line.</summary>
    private SourceRange RangeOf(JsonNode node)
    {
        int end = node.End;
        int newline = _text.IndexOf('\n', node.Start, Math.Max(0, Math.Min(end, _text.Length) - node.Start));
        return _lines.Range(node.Start, newline >= 0 ? newline : end);
    }

    /// <summary>The opening brace of an object: where a missing key is reported.</summary>
    private SourceRange Head(JsonObject obj) => _lines.Range(obj.Start, obj.Start + 1);

    private string Literal(JsonNumber number) => _text.Substring(number.Start, number.End - number.Start);

    private string Quote(JsonNode node) => node switch
    {
        JsonString s => "\"" + Shorten(s.Value) + "\"",
        JsonNumber n => Literal(n),
        _ => node.Describe(),
    };

    private static string Quote(string key) => "\"" + key + "\"";

    private static string Shorten(string s) => s.Length <= 40 ? s : s.Substring(0, 40) + "...";
}
