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
internal sealed class JsonNetworkReader
{
    /// <summary>The most elements a <c>"file"</c> tensor may have: 1 Gi floats (4 GiB), within a span's length once packed.</summary>
    public const long MaxFileElements = 1L << 30;

    /// <summary>The largest <c>"offset"</c>: 2⁵³, past which a JSON number is no longer an exact integer.</summary>
    private const double MaxFileOffset = 9007199254740992.0;

    private static readonly string[] TopLevelKeys = { "format", "input", "layers", "description", "strategy", "gpu", "gpu_min_weights" };
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

        return new NetworkSpec(_path, input, inputRange, description, layers, layersRange, strategy, gpu, gpuMinWeights);
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
