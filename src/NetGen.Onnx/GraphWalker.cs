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
internal sealed partial class GraphWalker
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

        if (TryFold(node))
        {
            return;
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
                if (!TryArithmetic(node))
                {
                    ReadAdd(node);
                }

                break;
            case "Sub":
                if (!TryArithmetic(node))
                {
                    throw NodeError(node, "it subtracts two tensors the network computes; NetGen subtracts constants only");
                }

                break;
            case "Neg":
                ReadNeg(node);
                break;
            case "Relu":
                Elementwise(node, new ActivationLayer("relu"));
                break;
            case "Tanh":
                Elementwise(node, new ActivationLayer("tanh"));
                break;
            case "Sigmoid":
                ReadSigmoid(node);
                break;
            case "LeakyRelu":
                Elementwise(node, new ActivationLayer("leaky_relu", null, ("alpha", FloatAttribute(node, "alpha", 0.01f))));
                break;
            case "Gelu":
                ReadGelu(node);
                break;
            case "Elu":
                Elementwise(node, new ActivationLayer("elu", null, ("alpha", FloatAttribute(node, "alpha", 1f))));
                break;
            case "Selu":
                ReadSelu(node);
                break;
            case "Softplus":
                // ONNX's log(1 + e^x); the format's softplus (β 1) returns x above its threshold
                // of 20, where the two differ by under 2.1e-9.
                Elementwise(node, new ActivationLayer("softplus"));
                break;
            case "HardSigmoid":
                ReadHardSigmoid(node);
                break;
            case "HardSwish":
                Elementwise(node, new ActivationLayer("hard_swish"));
                break;
            case "Mish":
                Elementwise(node, new ActivationLayer("mish"));
                break;
            case "Clip":
                ReadClip(node);
                break;
            case "Div" or "Mul" when TryErfGelu(node) || TryArithmetic(node):
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
                throw NodeError(node, "it multiplies two tensors the network computes; NetGen reads that only inside SiLU (x*Sigmoid(x)), HardSwish (x*HardSigmoid(x)) and the exact GELU, x*0.5*(1+Erf(x/sqrt(2)))");
            case "Div":
                throw NodeError(node, "it divides two tensors the network computes; NetGen divides by constants only");
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
            _layers.Add(new ActivationLayer("identity"));
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
}
