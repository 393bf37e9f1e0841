using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Onnx.Proto;

namespace NetGen.Onnx;

/// <summary>
/// One conversion of an ONNX graph to layers. The graph is read in node order as a chain:
/// every op reads the latest tensor (the output of the layer before it), and an <c>Add</c> of
/// the latest tensor and an earlier one closes a residual block around the layers between
/// them. Multi-node patterns (MatMul+Add, the erf GELU, SiLU) are recognised where they start.
/// </summary>
internal sealed class GraphWalker
{
    private const float Sqrt2 = 1.41421356237f;

    private readonly ModelProto _model;
    private readonly GraphProto _graph;
    private readonly OnnxImportOptions _options;
    private readonly long _opset;
    private readonly Dictionary<string, Constant> _constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Value> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _consumers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _graphOutputs = new(StringComparer.Ordinal);
    private readonly List<Layer> _layers = new();
    private readonly bool[] _done;
    private string _inputName = string.Empty;
    private long _inputFeatures = -1;

    public GraphWalker(ModelProto model, OnnxImportOptions options)
    {
        _model = model;
        _graph = model.Graph ?? throw new OnnxImportException($"{options.SourceName}: the model has no graph");
        _options = options;
        _opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(1).Max();
        _done = new bool[_graph.Node.Count];
    }

    /// <summary>A tensor the network computes: the layer count when it was produced, and its shape (-1 where unknown).</summary>
    private sealed record Value(int Position, long[] Shape)
    {
        public long Features => Shape.Length == 0 ? 1 : Shape[^1];
    }

    private string Source => _options.SourceName;

    public string Run()
    {
        foreach (var tensor in _graph.Initializer)
        {
            _constants[tensor.Name] = OnnxTensors.Read(tensor, _options.BaseDirectory, ModelError);
        }

        foreach (var frozen in _options.FrozenInputs)
        {
            _constants[frozen.Key] = OnnxTensors.Read(frozen.Value, _options.BaseDirectory, ModelError) with { Name = frozen.Key };
        }

        ReadInput();
        for (int i = 0; i < _graph.Node.Count; i++)
        {
            foreach (string input in _graph.Node[i].Input.Where(n => n.Length > 0))
            {
                if (!_consumers.TryGetValue(input, out var list))
                {
                    _consumers[input] = list = new List<int>();
                }

                list.Add(i);
            }
        }

        foreach (var output in _graph.Output)
        {
            _graphOutputs.Add(output.Name);
        }

        // Constants first: they depend on nothing, and the patterns read constants that
        // exporters emit after the node where a pattern starts.
        for (int i = 0; i < _graph.Node.Count; i++)
        {
            if (_graph.Node[i].OpType == "Constant" && _graph.Node[i].Domain is "" or "ai.onnx")
            {
                ReadConstantNode(_graph.Node[i]);
                _done[i] = true;
            }
        }

        for (int i = 0; i < _graph.Node.Count; i++)
        {
            if (!_done[i])
            {
                Visit(_graph.Node[i]);
            }
        }

        return Finish();
    }

    private void ReadInput()
    {
        var inputs = _graph.Input.Where(i => !_constants.ContainsKey(i.Name)).ToList();
        if (inputs.Count != 1)
        {
            throw ModelError(inputs.Count == 0
                ? "the graph has no input that is not a constant; a network needs one"
                : $"the graph has {inputs.Count} inputs ({string.Join(", ", inputs.Select(i => "'" + i.Name + "'"))}) that are not constants; a NetGen network has one");
        }

        var input = inputs[0];
        _inputName = input.Name;
        if (input.Type?.TensorType is not { } tensorType)
        {
            throw ModelError($"input '{input.Name}' is not a tensor");
        }

        if (tensorType.ElemType != (int)TensorProto.Types.DataType.Float)
        {
            throw ModelError($"input '{input.Name}' holds {OnnxTensors.TypeName(tensorType.ElemType)}; NetGen networks take float32");
        }

        long[] shape = tensorType.Shape is null
            ? Array.Empty<long>()
            : tensorType.Shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue > 0 ? d.DimValue : -1).ToArray();
        if (shape.Length == 0)
        {
            throw ModelError($"input '{input.Name}' has no shape; NetGen needs at least its feature (last) axis");
        }

        _inputFeatures = shape[^1];
        _values[input.Name] = new Value(0, shape);
    }

    private void Visit(NodeProto node)
    {
        if (node.Domain is not ("" or "ai.onnx"))
        {
            throw NodeError(node, $"the op {node.Domain}.{node.OpType} is not in the ONNX domain");
        }

        switch (node.OpType)
        {
            case "Identity":
                Alias(node, node.Output[0], node.Input[0]);
                break;
            case "Dropout":
                ReadDropout(node);
                break;
            case "Flatten":
                ReadFlatten(node);
                break;
            case "Gemm":
                ReadGemm(node);
                break;
            case "MatMul":
                ReadMatMul(node);
                break;
            case "Add":
                ReadAdd(node);
                break;
            case "Relu":
                Elementwise(node, new Layer("relu"));
                break;
            case "Tanh":
                Elementwise(node, new Layer("tanh"));
                break;
            case "Sigmoid":
                ReadSigmoid(node);
                break;
            case "LeakyRelu":
                Elementwise(node, new Layer("leaky_relu").With("alpha", FloatAttribute(node, "alpha", 0.01f)));
                break;
            case "Gelu":
                ReadGelu(node);
                break;
            case "Div" or "Mul" when TryErfGelu(node):
                break;
            case "Softmax":
            case "LogSoftmax":
                ReadSoftmax(node);
                break;
            case "LayerNormalization":
                ReadLayerNorm(node);
                break;
            case "BatchNormalization":
                ReadBatchNorm(node);
                break;
            case "Erf":
                throw NodeError(node, "Erf is read only inside the exact GELU, x*0.5*(1+Erf(x/sqrt(2)))");
            case "Mul":
                throw NodeError(node, "Mul is read only inside SiLU (x*Sigmoid(x)) and the exact GELU, x*0.5*(1+Erf(x/sqrt(2)))");
            default:
                throw NodeError(node, $"unsupported op {node.OpType}; supported: {string.Join(", ", OnnxImporter.SupportedOps)}");
        }
    }

    private string Finish()
    {
        if (_graph.Output.Count != 1)
        {
            throw ModelError($"the graph has {_graph.Output.Count} outputs; a NetGen network has one");
        }

        string outputName = _graph.Output[0].Name;
        if (_constants.ContainsKey(outputName))
        {
            throw ModelError($"the graph's output '{outputName}' is a constant");
        }

        if (!_values.TryGetValue(outputName, out var output) || output.Position != _layers.Count)
        {
            throw ModelError($"the graph's output '{outputName}' is not the output of its last layer; NetGen networks are a chain of layers");
        }

        RequireInputFeatures(null);
        if (_layers.Count == 0)
        {
            // A graph of Identity and Dropout only: the network is the identity.
            _layers.Add(new Layer("identity"));
        }

        if (output.Features <= 0)
        {
            throw ModelError($"the graph's output '{outputName}' has a feature (last) axis of unknown size");
        }

        string producer = _model.ProducerName.Length == 0 ? "an unnamed producer" : (_model.ProducerName + " " + _model.ProducerVersion).Trim();
        string description = $"Imported from {Source} ({producer}, opset {_opset.ToString(CultureInfo.InvariantCulture)}) by netgen import.";
        return DescriptionWriter.Write(checked((int)_inputFeatures), description, _layers);
    }

    private void ReadConstantNode(NodeProto node)
    {
        var attribute = node.Attribute.FirstOrDefault() ?? throw NodeError(node, "a Constant without a value");
        string name = node.Output[0];
        Constant constant = attribute.Name switch
        {
            "value" => OnnxTensors.Read(attribute.T, _options.BaseDirectory, m => NodeError(node, m)) with { Name = name },
            "value_float" => new Constant(name, Array.Empty<long>(), new[] { attribute.F }),
            "value_floats" => new Constant(name, new long[] { attribute.Floats.Count }, attribute.Floats.ToArray()),
            "value_int" => new Constant(name, Array.Empty<long>(), new[] { (float)attribute.I }),
            "value_ints" => new Constant(name, new long[] { attribute.Ints.Count }, attribute.Ints.Select(v => (float)v).ToArray()),
            _ => throw NodeError(node, $"a Constant given as '{attribute.Name}'; NetGen reads value, value_float(s) and value_int(s)"),
        };
        _constants[name] = constant;
    }

    private void Alias(NodeProto node, string output, string input)
    {
        if (_constants.TryGetValue(input, out var constant))
        {
            _constants[output] = constant with { Name = output };
            return;
        }

        _values[output] = Get(node, input);
    }

    private void ReadDropout(NodeProto node)
    {
        if (node.Output.Count > 1 && IsUsed(node.Output[1]))
        {
            throw NodeError(node, $"its mask output '{node.Output[1]}' is used; NetGen runs inference, where Dropout is the identity");
        }

        if (InputName(node, 2) is { } training && (!_constants.TryGetValue(training, out var mode) || mode.Values.Any(v => v != 0)))
        {
            throw NodeError(node, "training_mode is not a constant false; NetGen runs inference");
        }

        Alias(node, node.Output[0], node.Input[0]);
    }

    private void ReadFlatten(NodeProto node)
    {
        var value = Latest(node, node.Input[0]);
        int rank = value.Shape.Length;
        long axis = IntAttribute(node, "axis", 1);
        if (axis < 0)
        {
            axis += rank;
        }

        if (axis < 0 || axis > rank)
        {
            throw NodeError(node, $"axis {IntAttribute(node, "axis", 1)} is outside the input's rank {rank}");
        }

        long[] lead = value.Shape.Take((int)axis).ToArray();
        long[] tail = value.Shape.Skip((int)axis).ToArray();
        long features = tail.Any(d => d < 0) ? -1 : tail.Aggregate(1L, (a, d) => a * d);
        long batch = lead.Any(d => d < 0) ? -1 : lead.Aggregate(1L, (a, d) => a * d);
        bool keepsFeatures = tail.Length >= 1 && tail.Take(tail.Length - 1).All(d => d == 1) || tail.Length == 0 && value.Features == 1;
        if (!keepsFeatures)
        {
            if (value.Position != 0 || _layers.Count != 0)
            {
                throw NodeError(node, $"it merges the feature axis with others ({OnnxTensors.Format(value.Shape)} at axis {axis}) after layers have run; NetGen flattens only the network's input");
            }

            if (features < 0)
            {
                throw NodeError(node, $"it flattens the input '{_inputName}' of shape {OnnxTensors.Format(value.Shape)} from axis {axis}, and those axes have no fixed size");
            }

            // Flattening the raw input only changes how its row-major floats are grouped: the
            // network takes the flattened features.
            _inputFeatures = features;
        }

        _values[node.Output[0]] = new Value(value.Position, new[] { batch, keepsFeatures ? value.Features : features });
    }

    private void ReadGemm(NodeProto node)
    {
        var a = Latest(node, node.Input[0]);
        if (a.Shape.Length != 2)
        {
            throw NodeError(node, $"its input has shape {OnnxTensors.Format(a.Shape)}; Gemm takes a matrix");
        }

        if (IntAttribute(node, "transA", 0) != 0)
        {
            throw NodeError(node, "transA = 1 puts the features on the batch axis; NetGen reads transA = 0");
        }

        bool transB = IntAttribute(node, "transB", 0) != 0;
        float alpha = FloatAttribute(node, "alpha", 1f);
        float beta = FloatAttribute(node, "beta", 1f);
        var b = WeightMatrix(node, 1);
        long k = transB ? b.Shape[1] : b.Shape[0];
        long n = transB ? b.Shape[0] : b.Shape[1];
        RequireFeatures(node, a, k, b);
        float[] weight = Transposed(b, transB, alpha);

        var layer = new Layer("linear").With("out", checked((int)n)).With("weight", new TensorValue(new[] { (int)n, (int)k }, weight));
        if (InputName(node, 2) is { } cName)
        {
            var c = ConstantInput(node, cName, "C (the bias)");
            layer.With("bias", new TensorValue(new[] { (int)n }, Bias(node, c, n, beta)));
        }

        AddLayer(layer, node.Output[0], new[] { a.Shape[0], n });
    }

    private void ReadMatMul(NodeProto node)
    {
        if (_constants.ContainsKey(node.Input[0]))
        {
            throw NodeError(node, "its first input is a constant; NetGen reads x·W with the weight W second");
        }

        var a = Latest(node, node.Input[0]);
        var b = WeightMatrix(node, 1);
        long k = b.Shape[0];
        long n = b.Shape[1];
        RequireFeatures(node, a, k, b);
        var layer = new Layer("linear").With("out", checked((int)n)).With("weight", new TensorValue(new[] { (int)n, (int)k }, Transposed(b, transposed: false, 1f)));

        // PyTorch writes a linear layer on a batch of rank > 2 as MatMul then Add of the bias.
        string output = node.Output[0];
        if (SingleConsumer(output) is { } next && next.Node.OpType == "Add" && next.Node.Input.Count == 2)
        {
            string other = next.Node.Input[0] == output ? next.Node.Input[1] : next.Node.Input[0];
            if (_constants.TryGetValue(other, out var bias) && IsBroadcastVector(bias, n))
            {
                layer.With("bias", new TensorValue(new[] { (int)n }, Bias(next.Node, bias, n, 1f)));
                _done[next.Index] = true;
                output = next.Node.Output[0];
            }
        }

        AddLayer(layer, output, a.Shape.Take(a.Shape.Length - 1).Append(n).ToArray());
    }

    private void ReadAdd(NodeProto node)
    {
        string left = node.Input[0];
        string right = node.Input[1];
        if (_constants.ContainsKey(left) || _constants.ContainsKey(right))
        {
            throw NodeError(node, "an Add of a constant is read only as the bias right after a MatMul");
        }

        var a = Get(node, left);
        var b = Get(node, right);
        var (early, late) = a.Position <= b.Position ? (a, b) : (b, a);
        if (late.Position != _layers.Count)
        {
            throw NodeError(node, "neither input is the latest layer's output; NetGen networks are a chain with residual skips");
        }

        if (early.Position == late.Position)
        {
            throw NodeError(node, "both inputs come from the same layer; an Add closes a skip connection around at least one layer");
        }

        if (early.Features != late.Features || early.Shape.Length != late.Shape.Length)
        {
            throw NodeError(node, $"it adds shapes {OnnxTensors.Format(early.Shape)} and {OnnxTensors.Format(late.Shape)}; a residual block must keep the size");
        }

        // The layers after the skip's start become the residual block; tensors inside it can no
        // longer be read from outside.
        var inner = _layers.GetRange(early.Position, _layers.Count - early.Position);
        _layers.RemoveRange(early.Position, inner.Count);
        foreach (var stale in _values.Where(v => v.Value.Position > early.Position).Select(v => v.Key).ToList())
        {
            _values.Remove(stale);
        }

        AddLayer(new Layer("residual").With("layers", inner), node.Output[0], late.Shape);
    }

    private void ReadSigmoid(NodeProto node)
    {
        // SiLU as exporters write it: Mul(x, Sigmoid(x)).
        string x = node.Input[0];
        if (SingleConsumer(node.Output[0]) is { } next && next.Node.OpType == "Mul" && next.Node.Input.Count == 2
            && next.Node.Input.Contains(x) && next.Node.Input.Contains(node.Output[0]))
        {
            _done[next.Index] = true;
            Elementwise(node, new Layer("silu"), next.Node.Output[0]);
            return;
        }

        Elementwise(node, new Layer("sigmoid"));
    }

    private void ReadGelu(NodeProto node)
    {
        string approximate = StringAttribute(node, "approximate", "none");
        var layer = approximate switch
        {
            "none" => new Layer("gelu"),
            "tanh" => new Layer("gelu").With("approximate", "tanh"),
            _ => throw NodeError(node, $"approximate is '{approximate}'; expected 'none' or 'tanh'"),
        };
        Elementwise(node, layer);
    }

    /// <summary>The exact GELU as PyTorch exports it before opset 20: Mul(Mul(x, Add(Erf(Div(x, √2)), 1)), 0.5).</summary>
    private bool TryErfGelu(NodeProto node)
    {
        if (node.Input.Count != 2)
        {
            return false;
        }

        string x = _constants.ContainsKey(node.Input[0]) ? node.Input[1] : node.Input[0];
        string scale = x == node.Input[0] ? node.Input[1] : node.Input[0];
        float expected = node.OpType == "Div" ? Sqrt2 : 1f / Sqrt2;
        if (!_values.ContainsKey(x) || !IsScalar(scale, expected) || node.OpType == "Div" && x != node.Input[0])
        {
            return false;
        }

        if (SingleConsumer(node.Output[0]) is not { Node.OpType: "Erf" } erf
            || SingleConsumer(erf.Node.Output[0]) is not { Node.OpType: "Add" } plusOne
            || !plusOne.Node.Input.Any(i => IsScalar(i, 1f))
            || SingleConsumer(plusOne.Node.Output[0]) is not { Node.OpType: "Mul" } first
            || SingleConsumer(first.Node.Output[0]) is not { Node.OpType: "Mul" } second)
        {
            return false;
        }

        // The two Muls multiply the Add's output by x and by 0.5, in either order.
        string firstOther = Other(first.Node, plusOne.Node.Output[0]);
        string secondOther = Other(second.Node, first.Node.Output[0]);
        bool matches = firstOther == x && IsScalar(secondOther, 0.5f) || IsScalar(firstOther, 0.5f) && secondOther == x;
        if (!matches)
        {
            return false;
        }

        _done[erf.Index] = _done[plusOne.Index] = _done[first.Index] = _done[second.Index] = true;
        var value = Latest(node, x);
        AddLayer(new Layer("gelu"), second.Node.Output[0], value.Shape);
        return true;
    }

    private void ReadSoftmax(NodeProto node)
    {
        var value = Latest(node, node.Input[0]);
        int rank = value.Shape.Length;

        // Before opset 13 Softmax flattened its input to 2-D at the axis (default 1); from 13 on
        // it works along one axis (default -1). Either way, NetGen's softmax is the last axis.
        long axis = IntAttribute(node, "axis", _opset >= 13 ? -1 : 1);
        long normalized = axis < 0 ? axis + rank : axis;
        if (normalized != rank - 1)
        {
            throw NodeError(node, $"axis {axis} of a rank-{rank} input is not the last axis; NetGen's {(node.OpType == "Softmax" ? "softmax" : "log_softmax")} runs over the features");
        }

        Elementwise(node, new Layer(node.OpType == "Softmax" ? "softmax" : "log_softmax"));
    }

    private void ReadLayerNorm(NodeProto node)
    {
        var value = Latest(node, node.Input[0]);
        int rank = value.Shape.Length;
        long axis = IntAttribute(node, "axis", -1);
        if ((axis < 0 ? axis + rank : axis) != rank - 1)
        {
            throw NodeError(node, $"axis {axis} of a rank-{rank} input normalizes more than the last axis; NetGen's layer_norm normalizes the features");
        }

        RejectUsedOutputs(node, 1, "the mean and inverse standard deviation");
        long n = RequireKnownFeatures(node, value);
        var layer = new Layer("layer_norm").With("eps", FloatAttribute(node, "epsilon", 1e-5f));
        layer.With("weight", Vector(node, ConstantInput(node, node.Input[1], "Scale"), n, "Scale"));
        if (InputName(node, 2) is { } b)
        {
            layer.With("bias", Vector(node, ConstantInput(node, b, "B"), n, "B"));
        }

        AddLayer(layer, node.Output[0], value.Shape);
    }

    private void ReadBatchNorm(NodeProto node)
    {
        var value = Latest(node, node.Input[0]);
        if (value.Shape.Length != 2)
        {
            throw NodeError(node, $"its input has shape {OnnxTensors.Format(value.Shape)}; BatchNormalization normalizes axis 1, which is NetGen's feature axis only for [batch, features] inputs");
        }

        if (IntAttribute(node, "training_mode", 0) != 0)
        {
            throw NodeError(node, "training_mode = 1; NetGen runs inference, with the running statistics");
        }

        RejectUsedOutputs(node, 1, "the updated running statistics");
        long n = RequireKnownFeatures(node, value);
        var layer = new Layer("batch_norm").With("eps", FloatAttribute(node, "epsilon", 1e-5f))
            .With("running_mean", Vector(node, ConstantInput(node, node.Input[3], "input_mean"), n, "input_mean"))
            .With("running_var", Vector(node, ConstantInput(node, node.Input[4], "input_var"), n, "input_var"))
            .With("weight", Vector(node, ConstantInput(node, node.Input[1], "scale"), n, "scale"))
            .With("bias", Vector(node, ConstantInput(node, node.Input[2], "B"), n, "B"));
        AddLayer(layer, node.Output[0], value.Shape);
    }

    private void Elementwise(NodeProto node, Layer layer, string? output = null)
    {
        var value = Latest(node, node.Input[0]);
        AddLayer(layer, output ?? node.Output[0], value.Shape);
    }

    private void AddLayer(Layer layer, string output, long[] shape)
    {
        RequireInputFeatures(output);
        _layers.Add(layer);
        _values[output] = new Value(_layers.Count, shape);
    }

    private void RequireInputFeatures(string? output)
    {
        if (_inputFeatures <= 0)
        {
            throw ModelError($"input '{_inputName}' has a feature (last) axis of unknown size{(output is null ? string.Empty : $" (needed for '{output}')")}; export the model with a fixed feature size");
        }

        if (_inputFeatures > int.MaxValue)
        {
            throw ModelError($"input '{_inputName}' has {_inputFeatures} features, more than NetGen supports");
        }
    }

    private long RequireKnownFeatures(NodeProto node, Value value) =>
        value.Features > 0 ? value.Features : throw NodeError(node, $"its input has shape {OnnxTensors.Format(value.Shape)}, whose feature (last) axis has no fixed size");

    private void RequireFeatures(NodeProto node, Value a, long k, Constant weight)
    {
        if (a.Features > 0 && a.Features != k)
        {
            throw NodeError(node, $"the weight '{weight.Name}' of shape {weight.ShapeText} expects {k} input features; the input has shape {OnnxTensors.Format(a.Shape)}");
        }

        if (a.Features <= 0 && a.Position == 0 && _layers.Count == 0)
        {
            // The input's feature axis had no fixed size; the first weight fixes it.
            _inputFeatures = k;
        }
    }

    private void RejectUsedOutputs(NodeProto node, int from, string what)
    {
        for (int i = from; i < node.Output.Count; i++)
        {
            if (node.Output[i].Length > 0 && IsUsed(node.Output[i]))
            {
                throw NodeError(node, $"its output '{node.Output[i]}' ({what}) is used; NetGen computes only the normalized tensor");
            }
        }
    }

    private Constant WeightMatrix(NodeProto node, int input)
    {
        string name = InputName(node, input) ?? throw NodeError(node, "it has no weight input");
        if (!_constants.TryGetValue(name, out var weight))
        {
            throw NodeError(node, $"its weight '{name}' is computed by the graph; NetGen compiles fixed weights (initializers or constants)");
        }

        if (weight.Shape.Length != 2 || weight.Shape[0] == 0 || weight.Shape[1] == 0)
        {
            throw NodeError(node, $"its weight '{name}' has shape {weight.ShapeText}; NetGen reads a non-empty matrix");
        }

        return weight;
    }

    private static float[] Transposed(Constant b, bool transposed, float alpha)
    {
        // NetGen stores W as [out][in]; ONNX's Gemm and MatMul read B as [in][out] unless transB.
        int rows = (int)b.Shape[0];
        int columns = (int)b.Shape[1];
        var weight = new float[b.Values.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                float v = b.Values[(r * columns) + c] * alpha;
                weight[transposed ? (r * columns) + c : (c * rows) + r] = v;
            }
        }

        return weight;
    }

    private float[] Bias(NodeProto node, Constant c, long n, float beta)
    {
        if (!IsBroadcastVector(c, n))
        {
            throw NodeError(node, $"its bias '{c.Name}' has shape {c.ShapeText}; NetGen reads one bias per output ({n}), the same for every sample");
        }

        var bias = new float[n];
        for (int i = 0; i < n; i++)
        {
            bias[i] = c.Values[c.IsScalar ? 0 : i] * beta;
        }

        return bias;
    }

    private static bool IsBroadcastVector(Constant c, long n) =>
        c.IsScalar || c.Shape.Length >= 1 && c.Shape[^1] == n && c.Shape.Take(c.Shape.Length - 1).All(d => d == 1);

    private TensorValue Vector(NodeProto node, Constant c, long n, string role)
    {
        if (!IsBroadcastVector(c, n))
        {
            throw NodeError(node, $"its {role} '{c.Name}' has shape {c.ShapeText}; expected [{n}], one value per feature");
        }

        return new TensorValue(new[] { (int)n }, c.IsScalar ? Enumerable.Repeat(c.Values[0], (int)n).ToArray() : c.Values);
    }

    private Constant ConstantInput(NodeProto node, string name, string role) =>
        _constants.TryGetValue(name, out var c)
            ? c
            : throw NodeError(node, $"its {role} '{name}' is computed by the graph; NetGen compiles fixed weights (initializers or constants)");

    private bool IsScalar(string name, float expected) =>
        _constants.TryGetValue(name, out var c) && c.IsScalar && Math.Abs(c.Values[0] - expected) <= 1e-6f * Math.Abs(expected);

    private static string Other(NodeProto node, string input) =>
        node.Input.Count == 2 ? (node.Input[0] == input ? node.Input[1] : node.Input[0]) : string.Empty;

    private bool IsUsed(string name) => _graphOutputs.Contains(name) || _consumers.ContainsKey(name);

    private (int Index, NodeProto Node)? SingleConsumer(string name)
    {
        if (_graphOutputs.Contains(name) || !_consumers.TryGetValue(name, out var list) || list.Count != 1)
        {
            return null;
        }

        return (list[0], _graph.Node[list[0]]);
    }

    private static string? InputName(NodeProto node, int index) =>
        index < node.Input.Count && node.Input[index].Length > 0 ? node.Input[index] : null;

    private Value Get(NodeProto node, string name)
    {
        if (_values.TryGetValue(name, out var value))
        {
            return value;
        }

        throw _constants.ContainsKey(name)
            ? NodeError(node, $"it computes on the constant '{name}' alone; NetGen layers read the network's data")
            : NodeError(node, $"it reads '{name}', which is not the output of an earlier layer on the network's chain (a branch, or a tensor inside a closed residual block)");
    }

    private Value Latest(NodeProto node, string name)
    {
        var value = Get(node, name);
        if (value.Position != _layers.Count)
        {
            throw NodeError(node, $"it reads '{name}', which is not the latest layer's output; NetGen networks are a chain, with skips only through a residual Add");
        }

        return value;
    }

    private long IntAttribute(NodeProto node, string name, long fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : fallback;

    private float FloatAttribute(NodeProto node, string name, float fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.F : fallback;

    private string StringAttribute(NodeProto node, string name, string fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.S.ToStringUtf8() : fallback;

    /// <summary>How messages name a node: its name, or its position and first output when it has none.</summary>
    private string Label(NodeProto node) =>
        node.Name.Length > 0
            ? "'" + node.Name + "'"
            : "#" + (_graph.Node.IndexOf(node) + 1).ToString(CultureInfo.InvariantCulture) + (node.Output.Count > 0 ? " (writes '" + node.Output[0] + "')" : string.Empty);

    private OnnxImportException ModelError(string message) => new($"{Source}: {message}");

    private OnnxImportException NodeError(NodeProto node, string message) =>
        new($"{Source}: node {Label(node)}, {node.OpType}: {message}") { Node = Label(node) };
}
