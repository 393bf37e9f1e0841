using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Model;

namespace NetGen.Generator.Reading;

/// <summary>
/// Reads a <c>netgen/1</c> JSON description into a <see cref="NetworkSpec"/>. It checks what
/// one object can tell on its own (keys, types, value ranges, tensor encodings, finiteness);
/// whether sizes agree across layers is the checker's business. Every problem becomes a
/// located diagnostic; reading goes on after an error so that one build reports them all.
/// </summary>
internal sealed partial class JsonNetworkReader
{
    private static readonly string[] TopLevelKeys = { "format", "input", "layers", "description", "strategy", "gpu", "gpu_min_weights", "inputs", "constants" };
    private static readonly string[] TensorKeys = { "shape", "dtype", "base64", "file", "offset" };

    private readonly string _path;
    private readonly string _text;
    private readonly LineMap _lines;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly Func<string, WeightFile?> _findWeightFile;
    private readonly CancellationToken _cancellationToken;

    private JsonNetworkReader(string path, string text, Func<string, WeightFile?> findWeightFile, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        _path = path;
        _findWeightFile = findWeightFile;
        _text = text;
        _lines = new LineMap(text);
        _diagnostics = diagnostics;
        _cancellationToken = cancellationToken;
    }

    /// <summary>
    /// Reads a description: every error is added to <paramref name="diagnostics"/>, and what could
    /// be read is returned (null only when nothing could), so that the checker can still check the
    /// values of the layers that were read. Never throws for bad input.
    /// </summary>
    /// <param name="path">The description's full path: <c>"file"</c> tensors are named relative to it.</param>
    /// <param name="text">The description.</param>
    /// <param name="findWeightFile">What the build knows of the weight file at a full path; null when it knows none there.</param>
    /// <param name="diagnostics">Receives every error.</param>
    /// <param name="cancellationToken">Cancels the build.</param>
    public static NetworkSpec? Read(string path, string text, Func<string, WeightFile?> findWeightFile, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var reader = new JsonNetworkReader(path, text, findWeightFile, diagnostics, cancellationToken);
        return reader.ReadDocument();
    }

    private NetworkSpec? ReadDocument()
    {
        JsonNode? root = JsonParser.Parse(_text, out JsonSyntaxError? syntaxError, _cancellationToken);
        if (root is null)
        {
            var e = syntaxError!;
            Report(DiagnosticDescriptors.MalformedJson, e.Position, e.Position + e.Length, e.Expected, e.Found);
            return null;
        }

        if (root is not JsonObject top)
        {
            Report(DiagnosticDescriptors.WrongType, root, "an object", "the document", root.Describe());
            return null;
        }

        var keys = Keys(top, "the description", TopLevelKeys);

        if (!keys.TryGetValue("format", out var format))
        {
            ReportMissing(top, "format", "the description");
        }
        else if (format.Value is not JsonString { Value: "netgen/1" })
        {
            Report(DiagnosticDescriptors.UnsupportedFormat, format.Value, Quote(format.Value));
        }

        int input = ReadSize(top, keys, "input", "the description", required: true) ?? 0;
        SourceRange inputRange = keys.TryGetValue("input", out var inputProperty) ? RangeOf(inputProperty.Value) : Head(top);

        string? description = null;
        if (keys.TryGetValue("description", out var descriptionProperty))
        {
            if (descriptionProperty.Value is JsonString s)
            {
                description = s.Value;
            }
            else
            {
                Report(DiagnosticDescriptors.WrongType, descriptionProperty.Value, "a string", "\"description\"", descriptionProperty.Value.Describe());
            }
        }

        var strategy = ReadChoice(keys, "strategy", ("auto", NetworkStrategy.Auto), ("unrolled", NetworkStrategy.Unrolled), ("vectorized", NetworkStrategy.Vectorized), ("kernel", NetworkStrategy.Kernel));
        var gpu = ReadChoice(keys, "gpu", ("none", GpuLayers.None), ("large", GpuLayers.Large), ("all", GpuLayers.All));

        long gpuMinWeights = NetworkSpec.DefaultGpuMinWeights;
        if (keys.TryGetValue("gpu_min_weights", out var minWeightsProperty))
        {
            double value = ReadNumber(keys, "gpu_min_weights", "the description", gpuMinWeights, min: 1, minInclusive: true, max: long.MaxValue, expected: "a positive integer");
            if (value != Math.Floor(value))
            {
                Report(DiagnosticDescriptors.InvalidValue, minWeightsProperty.Value, "\"gpu_min_weights\"", "a positive integer", Quote(minWeightsProperty.Value));
            }
            else
            {
                gpuMinWeights = (long)value;
            }
        }

        EquatableArray<LayerSpec> layers = EquatableArray<LayerSpec>.Empty;
        SourceRange layersRange = Head(top);
        if (!keys.TryGetValue("layers", out var layersProperty))
        {
            ReportMissing(top, "layers", "the description");
        }
        else
        {
            layersRange = RangeOf(layersProperty.Value);
            layers = ReadLayers(layersProperty.Value, "\"layers\"");
        }

        var inputs = keys.TryGetValue("inputs", out var inputsProperty) ? ReadInputParts(inputsProperty.Value) : EquatableArray<InputPart>.Empty;
        var constants = keys.TryGetValue("constants", out var constantsProperty) ? ReadConstants(constantsProperty.Value) : EquatableArray<ConstantSpec>.Empty;
        return new NetworkSpec(_path, input, inputRange, description, layers, layersRange, strategy, gpu, gpuMinWeights, inputs, constants);
    }

    /// <summary>An integer key of at least <paramref name="min"/> (absent: 0); null when reported.</summary>
    private int? ReadIndex(Dictionary<string, JsonProperty> keys, string key, string where, int min)
    {
        string expected = $"an integer from {min} to {NetworkSpec.MaxFeatures}";
        double value = ReadNumber(keys, key, where, -1, min, minInclusive: true, max: NetworkSpec.MaxFeatures + 1, expected);
        if (!keys.ContainsKey(key))
        {
            return 0;
        }

        if (value < min || value != Math.Floor(value))
        {
            if (value >= min)
            {
                Report(DiagnosticDescriptors.InvalidValue, keys[key].Value, Quote(key), expected, Quote(keys[key].Value));
            }

            return null;
        }

        return (int)value;
    }

    /// <summary><c>"inputs"</c>: an array of <c>{ "name", "size" }</c>, the parts of the input in order.</summary>
    private EquatableArray<InputPart> ReadInputParts(JsonNode node) => ReadObjects(node, "\"inputs\"", "{ \"name\", \"size\" }", obj =>
    {
        var keys = Keys(obj, "an input part", new[] { "name", "size" });
        var (name, nameRange) = ReadName(keys);
        int? size = ReadSize(obj, keys, "size", "an input part", required: true);
        if (name is null)
        {
            ReportMissing(obj, "name", "an input part");
            return null;
        }

        return size is { } n ? new InputPart(name, n, nameRange) : null;
    });

    /// <summary><c>"constants"</c>: an array of <c>{ "name", "values" }</c>, each a number or a vector.</summary>
    private EquatableArray<ConstantSpec> ReadConstants(JsonNode node) => ReadObjects(node, "\"constants\"", "{ \"name\", \"values\" }", obj =>
    {
        var keys = Keys(obj, "a constant", new[] { "name", "values" });
        var (name, nameRange) = ReadName(keys);
        if (name is null || !keys.ContainsKey("values"))
        {
            ReportMissing(obj, name is null ? "name" : "values", "a constant");
            return null;
        }

        var values = ReadScalarOrVector(keys, "values");
        if (values?.External is not null)
        {
            _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidValue.Id, _path, values.Range,
                "\"values\" of a constant", "a number, numbers or \"base64\" data", "a \"file\" tensor"));
            return null;
        }

        return values is null ? null : new ConstantSpec(name, values.Values, nameRange);
    });

    /// <summary>A top-level array of objects, each read by <paramref name="read"/> (null: reported, left out).</summary>
    private EquatableArray<T> ReadObjects<T>(JsonNode node, string what, string shape, Func<JsonObject, T?> read)
        where T : class, IEquatable<T>
    {
        if (node is not JsonArray array)
        {
            Report(DiagnosticDescriptors.WrongType, node, $"an array of {shape} objects", what, node.Describe());
            return EquatableArray<T>.Empty;
        }

        var items = new List<T>();
        foreach (JsonNode item in array.Items)
        {
            if (item is not JsonObject obj)
            {
                Report(DiagnosticDescriptors.WrongType, item, $"an object {shape}", "an element of " + what, item.Describe());
            }
            else if (read(obj) is { } value)
            {
                items.Add(value);
            }
        }

        return items.ToEquatableArray();
    }

    private EquatableArray<LayerSpec> ReadLayers(JsonNode node, string what)
    {
        if (node is not JsonArray array)
        {
            Report(DiagnosticDescriptors.WrongType, node, "an array of layers", what, node.Describe());
            return EquatableArray<LayerSpec>.Empty;
        }

        if (array.Items.Count == 0)
        {
            Report(DiagnosticDescriptors.InvalidValue, node, what, "at least one layer", "an empty array");
            return EquatableArray<LayerSpec>.Empty;
        }

        var layers = new List<LayerSpec>(array.Items.Count);
        foreach (JsonNode item in array.Items)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            LayerSpec? layer = ReadLayer(item);
            if (layer is not null)
            {
                layers.Add(layer);
            }
        }

        return layers.ToEquatableArray();
    }

    private LayerSpec? ReadLayer(JsonNode node)
    {
        if (node is not JsonObject obj)
        {
            Report(DiagnosticDescriptors.WrongType, node, "a layer object", "a layer", node.Describe());
            return null;
        }

        JsonProperty? opProperty = obj.Properties.FirstOrDefault(p => p.Name == "op");
        if (opProperty is null)
        {
            ReportMissing(obj, "op", "a layer");
            return null;
        }

        if (opProperty.Value is not JsonString opString)
        {
            Report(DiagnosticDescriptors.WrongType, opProperty.Value, "a string", "\"op\"", opProperty.Value.Describe());
            return null;
        }

        if (Ops.FromJson(opString.Value) is not { } form)
        {
            Report(DiagnosticDescriptors.UnknownOp, opString, opString.Value, Ops.JsonNames);
            return null;
        }

        string where = $"a {form.JsonName} layer";
        var keys = Keys(obj, where, form.Keys);
        var (name, nameRange) = ReadName(keys);
        SourceRange range = RangeOf(obj);

        switch (form.Op)
        {
            case LayerOp.Activation:
                return ReadActivation(form, keys, name, range, nameRange, where);

            case LayerOp.Linear:
            {
                int? outSize = ReadSize(obj, keys, "out", where, required: true);
                TensorSpec? weight = ReadTensor(obj, keys, "weight", where, rank: 2, required: true);
                TensorSpec? bias = ReadTensor(obj, keys, "bias", where, rank: 1, required: false);
                ActivationSpec? activation = null;
                if (keys.TryGetValue("activation", out var activationProperty))
                {
                    activation = ReadActivationShorthand(activationProperty.Value);
                }

                return weight is null || outSize is null
                    ? null
                    : new LinearSpec(name, range, nameRange, outSize.Value, RangeOf(keys["out"].Value), weight, bias, activation, ReadGpu(keys));
            }

            case LayerOp.Affine:
            {
                TensorSpec? scale = ReadScalarOrVector(keys, "scale");
                TensorSpec? shift = ReadScalarOrVector(keys, "shift");
                if (!keys.ContainsKey("scale") && !keys.ContainsKey("shift"))
                {
                    ReportMissing(obj, "scale", "an affine layer (which needs \"scale\", \"shift\" or both)");
                    return null;
                }

                // affine's constants are written into the code (a scalar is spread over the features), which needs their values.
                foreach (var (key, tensor) in new[] { ("scale", scale), ("shift", shift) })
                {
                    if (tensor?.External is not null)
                    {
                        _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidValue.Id, _path, tensor.Range,
                            $"\"{key}\" of an affine layer", "a number, numbers or \"base64\" data (affine's constants are written into the code)", "a \"file\" tensor"));
                        return null;
                    }
                }

                bool bad = keys.ContainsKey("scale") && scale is null || keys.ContainsKey("shift") && shift is null;
                return bad ? null : new AffineSpec(name, range, nameRange, scale, shift);
            }

            case LayerOp.LayerNorm or LayerOp.RmsNorm or LayerOp.BatchNorm:
            {
                LayerOp op = form.Op;
                ValueSpec eps = ReadValue(keys, "eps", where, op == LayerOp.RmsNorm ? 1e-6 : 1e-5);
                TensorSpec? weight = ReadTensor(obj, keys, "weight", where, rank: 1, required: false);
                TensorSpec? bias = op == LayerOp.RmsNorm ? null : ReadTensor(obj, keys, "bias", where, rank: 1, required: false);
                TensorSpec? mean = null, variance = null;
                if (op == LayerOp.BatchNorm)
                {
                    mean = ReadTensor(obj, keys, "running_mean", where, rank: 1, required: true);
                    variance = ReadTensor(obj, keys, "running_var", where, rank: 1, required: true);
                    if (variance is not null)
                    {
                        CheckNonNegative(variance, "\"running_var\"");
                    }

                    if (mean is null || variance is null)
                    {
                        return null;
                    }

                    // batch_norm becomes constants at build time (scale = γ / √(var + ε)), which needs its values.
                    foreach (var (key, tensor) in new[] { ("weight", weight), ("bias", bias), ("running_mean", mean), ("running_var", variance) })
                    {
                        if (tensor?.External is not null)
                        {
                            _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidValue.Id, _path, tensor.Range,
                                $"\"{key}\" of a batch_norm layer", "numbers or \"base64\" data (batch_norm is folded into constants at build time)", "a \"file\" tensor"));
                            return null;
                        }
                    }
                }

                return new NormSpec(op, name, range, nameRange, eps, weight, bias, mean, variance);
            }

            case LayerOp.Slice:
            {
                int? start = ReadIndex(keys, "start", where, 0);
                int? end = keys.ContainsKey("end") ? ReadIndex(keys, "end", where, 1) : null;
                if (start is null || (keys.ContainsKey("end") && end is null))
                {
                    return null;
                }

                SourceRange startRange = keys.TryGetValue("start", out var s) ? RangeOf(s.Value) : range;
                SourceRange endRange = keys.TryGetValue("end", out var e) ? RangeOf(e.Value) : range;
                return new SliceSpec(name, range, nameRange, start.Value, startRange, end, endRange);
            }

            case LayerOp.Mask:
            {
                string? input = null;
                SourceRange inputRange = range;
                if (keys.TryGetValue("input", out var inputProperty))
                {
                    if (inputProperty.Value is JsonString inputName)
                    {
                        (input, inputRange) = (inputName.Value, RangeOf(inputName));
                    }
                    else
                    {
                        Report(DiagnosticDescriptors.WrongType, inputProperty.Value, "the name of an input part (a string)", "\"input\"", inputProperty.Value.Describe());
                        return null;
                    }
                }

                int? start = ReadIndex(keys, "start", where, 0);
                double fill = ReadNumber(keys, "fill", where, MaskSpec.DefaultFill, -float.MaxValue, minInclusive: true, max: float.MaxValue, "a finite number");
                SourceRange startRange = keys.TryGetValue("start", out var s) ? RangeOf(s.Value) : range;
                return start is null ? null : new MaskSpec(name, range, nameRange, input, inputRange, start.Value, startRange, (float)fill);
            }

            case LayerOp.ArgMax:
            {
                bool last = false;
                if (keys.TryGetValue("last", out var lastProperty))
                {
                    if (lastProperty.Value.Kind is not (JsonKind.True or JsonKind.False))
                    {
                        Report(DiagnosticDescriptors.WrongType, lastProperty.Value, "true or false", "\"last\"", lastProperty.Value.Describe());
                        return null;
                    }

                    last = lastProperty.Value.Kind == JsonKind.True;
                }

                if (!keys.TryGetValue("groups", out var groupsProperty))
                {
                    return new ArgMaxSpec(name, range, nameRange, EquatableArray<int>.Empty, range, last);
                }

                if (groupsProperty.Value is not JsonArray groupArray || groupArray.Items.Count == 0)
                {
                    Report(DiagnosticDescriptors.WrongType, groupsProperty.Value, "a non-empty array of group sizes", "\"groups\"", groupsProperty.Value.Describe());
                    return null;
                }

                var groups = new List<int>();
                foreach (var item in groupArray.Items)
                {
                    if (item is not JsonNumber number || number.Value != Math.Floor(number.Value) || number.Value < 1 || number.Value > NetworkSpec.MaxFeatures)
                    {
                        Report(DiagnosticDescriptors.InvalidValue, item, "an element of \"groups\"", $"an integer from 1 to {NetworkSpec.MaxFeatures.ToString(CultureInfo.InvariantCulture)}", item.Describe());
                        return null;
                    }

                    groups.Add((int)number.Value);
                }

                return new ArgMaxSpec(name, range, nameRange, groups.ToEquatableArray(), RangeOf(groupArray), last);
            }

            case LayerOp.Residual:
            {
                if (!keys.TryGetValue("layers", out var inner))
                {
                    ReportMissing(obj, "layers", where);
                    return null;
                }

                var layers = ReadLayers(inner.Value, "the residual's \"layers\"");
                return layers.IsEmpty ? null : new ResidualSpec(name, range, nameRange, layers);
            }

            case LayerOp.SwiGlu:
            {
                int? hidden = ReadSize(obj, keys, "hidden", where, required: true);
                int? outSize = ReadSize(obj, keys, "out", where, required: false);
                TensorSpec? gate = ReadTensor(obj, keys, "gate", where, rank: 2, required: true);
                TensorSpec? up = ReadTensor(obj, keys, "up", where, rank: 2, required: true);
                TensorSpec? down = ReadTensor(obj, keys, "down", where, rank: 2, required: true);
                if (hidden is null || gate is null || up is null || down is null)
                {
                    return null;
                }

                SourceRange outRange = keys.TryGetValue("out", out var outProperty) ? RangeOf(outProperty.Value) : range;
                return new SwiGluSpec(name, range, nameRange, hidden.Value, RangeOf(keys["hidden"].Value), outSize, outRange, gate, up, down, ReadGpu(keys));
            }

            default:
                throw new InvalidOperationException("Every op of the table is handled above.");
        }
    }

    /// <summary>An activation layer: the function its variant key selects, and a value for each of its form's parameters.</summary>
    private ActivationSpec ReadActivation(LayerForm form, Dictionary<string, JsonProperty> keys, string? name, SourceRange range, SourceRange nameRange, string where)
    {
        ActivationOp function = form.Activations[0];
        if (form.FormOf(function).Variant is { } variant)
        {
            function = ReadChoice(keys, variant.Key, form.Activations.Select(a => (form.FormOf(a).Variant!.Value, a)).ToArray());
        }

        var parameters = form.FormOf(function).Parameters.Select(p => ReadValue(keys, p.Key, where, p.Default)).ToEquatableArray();
        return new ActivationSpec(function, form.FormOf(function), name, range, nameRange, parameters);
    }

    /// <summary>
    /// A string key with a fixed set of values: the value of the one it names, else (absent, or
    /// reported as invalid) the first choice's.
    /// </summary>
    private T ReadChoice<T>(Dictionary<string, JsonProperty> keys, string key, params (string Name, T Value)[] choices)
    {
        if (!keys.TryGetValue(key, out var property))
        {
            return choices[0].Value;
        }

        foreach (var (name, value) in choices)
        {
            if (property.Value is JsonString s && s.Value == name)
            {
                return value;
            }
        }

        string names = string.Join(", ", choices.Take(choices.Length - 1).Select(c => Quote(c.Name))) + " or " + Quote(choices[choices.Length - 1].Name);
        Report(DiagnosticDescriptors.InvalidValue, property.Value, Quote(key), names, Quote(property.Value));
        return choices[0].Value;
    }

    /// <summary>A layer's <c>gpu</c> key: true or false, null when absent (or wrong, after reporting it).</summary>
    private bool? ReadGpu(Dictionary<string, JsonProperty> keys)
    {
        if (!keys.TryGetValue("gpu", out var property))
        {
            return null;
        }

        switch (property.Value.Kind)
        {
            case JsonKind.True:
                return true;
            case JsonKind.False:
                return false;
            default:
                Report(DiagnosticDescriptors.WrongType, property.Value, "true or false", "\"gpu\"", property.Value.Describe());
                return null;
        }
    }

    private ActivationSpec? ReadActivationShorthand(JsonNode node)
    {
        if (node is not JsonString s)
        {
            Report(DiagnosticDescriptors.WrongType, node, "the name of an activation", "\"activation\"", node.Describe());
            return null;
        }

        if (Ops.FromJson(s.Value) is not { IsActivation: true } form)
        {
            Report(DiagnosticDescriptors.UnknownOp, node, s.Value, Ops.ActivationNames);
            return null;
        }

        // The shorthand takes the op's default keys; it gets its name and cache field from the linear layer.
        return ActivationSpec.WithDefaults(form.Activations[0], RangeOf(node));
    }

    private (string? Name, SourceRange Range) ReadName(Dictionary<string, JsonProperty> keys)
    {
        if (!keys.TryGetValue("name", out var property))
        {
            return (null, SourceRange.None);
        }

        if (property.Value is not JsonString s)
        {
            Report(DiagnosticDescriptors.WrongType, property.Value, "a string", "\"name\"", property.Value.Describe());
            return (null, SourceRange.None);
        }

        return (s.Value, RangeOf(s));
    }
}
