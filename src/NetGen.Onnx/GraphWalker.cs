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
/// <remarks>
/// Only the subgraph of the chosen output is read (<see cref="OnnxImportOptions.GraphOutput"/>,
/// or the one output that the inputs compute); outputs that depend on no input are constants of
/// the description, and inputs the chosen output does not read are dropped. Several inputs are
/// one chain each (a segment) up to a <c>Concat</c> on the feature axis, which joins them into
/// the network's input: their element-wise steps become steps over the joined features.
/// </remarks>
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
    private readonly Dictionary<string, List<Layer>> _segments = new(StringComparer.Ordinal);
    private readonly List<InputPartValue> _inputParts = new();
    private readonly List<string> _droppedInputs = new();
    private readonly bool[] _done;
    private string _inputName = string.Empty;
    private long _inputFeatures = -1;
    private string _outputName = string.Empty;
    private List<string> _constantOutputs = new();

    /// <summary>The segment (an input's chain before the Concat) of the value the current node reads; null: the joined chain.</summary>
    private string? _segment;

    public GraphWalker(ModelProto model, OnnxImportOptions options)
    {
        _model = model;
        _graph = model.Graph ?? throw new OnnxImportException($"{options.SourceName}: the model has no graph");
        _options = options;
        _opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(1).Max();
        _done = new bool[_graph.Node.Count];
    }

    /// <summary>
    /// A tensor the network computes: the layer count of its chain when it was produced, its shape
    /// (-1 where unknown), and its chain: an input's segment before the Concat, or null.
    /// </summary>
    private sealed record Value(int Position, long[] Shape, string? Segment = null)
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

        var (needed, used) = ChooseOutput();
        _sideInputs = FindSideInputs(needed, used);
        ReadInputs(used);
        for (int i = 0; i < _graph.Node.Count; i++)
        {
            if (!needed[i])
            {
                // Not on the way to the chosen output or a constant one: not read at all.
                _done[i] = true;
                continue;
            }

            foreach (string input in _graph.Node[i].Input.Where(n => n.Length > 0))
            {
                if (!_consumers.TryGetValue(input, out var list))
                {
                    _consumers[input] = list = new List<int>();
                }

                list.Add(i);
            }
        }

        _graphOutputs.Add(_outputName);
        _graphOutputs.UnionWith(_constantOutputs);

        // Constants first: they depend on nothing, and the patterns read constants that
        // exporters emit after the node where a pattern starts.
        for (int i = 0; i < _graph.Node.Count; i++)
        {
            if (!_done[i] && _graph.Node[i].OpType == "Constant" && _graph.Node[i].Domain is "" or "ai.onnx")
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

    /// <summary>
    /// Picks the output to compute: the one the options name, else the only one that depends on an
    /// input. Outputs that depend on no input are the description's constants. Returns which
    /// nodes are needed for the chosen output and the constants, and the inputs it reads.
    /// </summary>
    private (bool[] Needed, HashSet<string> Used) ChooseOutput()
    {
        var producers = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _graph.Node.Count; i++)
        {
            foreach (string output in _graph.Node[i].Output.Where(n => n.Length > 0))
            {
                producers[output] = i;
            }
        }

        var dataInputs = new HashSet<string>(_graph.Input.Where(i => !_constants.ContainsKey(i.Name)).Select(i => i.Name), StringComparer.Ordinal);

        // The nodes and graph inputs each output depends on, walking back from it.
        (bool[] Nodes, HashSet<string> Inputs) Reach(string name)
        {
            var nodes = new bool[_graph.Node.Count];
            var inputs = new HashSet<string>(StringComparer.Ordinal);
            var pending = new Stack<string>();
            pending.Push(name);
            while (pending.Count > 0)
            {
                string tensor = pending.Pop();
                if (dataInputs.Contains(tensor))
                {
                    inputs.Add(tensor);
                }
                else if (producers.TryGetValue(tensor, out int producer) && !nodes[producer])
                {
                    nodes[producer] = true;
                    foreach (string input in _graph.Node[producer].Input.Where(n => n.Length > 0))
                    {
                        pending.Push(input);
                    }
                }
            }

            return (nodes, inputs);
        }

        var reaches = _graph.Output.Select(o => (o.Name, Reach: Reach(o.Name))).ToList();
        var computed = reaches.Where(r => r.Reach.Inputs.Count > 0).Select(r => r.Name).ToList();
        if (_options.GraphOutput is { } chosen)
        {
            if (!computed.Contains(chosen))
            {
                throw ModelError(reaches.Any(r => r.Name == chosen)
                    ? $"the output '{chosen}' depends on no input; the outputs the network computes are {Quoted(computed)}"
                    : $"the graph has no output '{chosen}'; its outputs are {Quoted(reaches.Select(r => r.Name))}");
            }

            _outputName = chosen;
        }
        else if (computed.Count == 1)
        {
            _outputName = computed[0];
        }
        else if (computed.Count == 0)
        {
            throw ModelError(_graph.Output.Count == 0 ? "the graph has no output" : "no output of the graph depends on an input; a network computes from its input");
        }
        else
        {
            throw ModelError($"the graph computes {computed.Count} outputs ({Quoted(computed)}); a NetGen network computes one: choose it (netgen import --graph-output NAME, or the NetGenModel item's GraphOutput metadata)");
        }

        _constantOutputs = reaches.Where(r => r.Reach.Inputs.Count == 0).Select(r => r.Name).ToList();
        var needed = reaches.First(r => r.Name == _outputName).Reach.Nodes;
        foreach (var constant in reaches.Where(r => r.Reach.Inputs.Count == 0))
        {
            for (int i = 0; i < needed.Length; i++)
            {
                needed[i] |= constant.Reach.Nodes[i];
            }
        }

        var used = reaches.First(r => r.Name == _outputName).Reach.Inputs;
        _droppedInputs.AddRange(_graph.Input.Where(i => dataInputs.Contains(i.Name) && !used.Contains(i.Name)).Select(i => i.Name));
        return (needed, used);
    }

    private static string Quoted(IEnumerable<string> names) => string.Join(", ", names.Select(n => "'" + n + "'"));

    /// <summary>
    /// The inputs the chosen output reads: one is the network's input; several are segments until a
    /// Concat joins them; mask inputs are parts after them (<see cref="FindSideInputs"/>).
    /// </summary>
    private void ReadInputs(HashSet<string> used)
    {
        var all = _graph.Input.Where(i => used.Contains(i.Name)).ToList();
        var inputs = all.Where(i => !_sideInputs.Contains(i.Name)).ToList();

        foreach (var input in all)
        {
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

            if (_sideInputs.Contains(input.Name))
            {
                AddSideInput(input.Name, shape);
            }
            else if (inputs.Count == 1)
            {
                _inputName = input.Name;
                _inputFeatures = shape[^1];
                _values[input.Name] = new Value(0, shape);
            }
            else
            {
                _segments[input.Name] = new List<Layer>();
                _values[input.Name] = new Value(0, shape, input.Name);
            }
        }

        if (inputs.Count > 1)
        {
            _inputName = string.Join(", ", inputs.Select(i => i.Name));
        }
    }

    private void Visit(NodeProto node)
    {
        if (node.Domain is not ("" or "ai.onnx"))
        {
            throw NodeError(node, $"the op {node.Domain}.{node.OpType} is not in the ONNX domain");
        }

        _segment = null;
        if (TryFold(node) || TryShapeArithmetic(node) || TryMask(node))
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
            case "Concat":
                ReadConcat(node);
                break;
            case "Reshape":
                ReadReshape(node);
                break;
            case "Slice":
                ReadSlice(node);
                break;
            case "Split":
                ReadSplit(node);
                break;
            case "Squeeze" or "Unsqueeze":
                ReadSqueeze(node);
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
            case "ArgMax":
                ReadArgMax(node);
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
                throw NodeError(node, "it multiplies two tensors the network computes; NetGen reads that only inside SiLU (x*Sigmoid(x)), HardSwish (x*HardSigmoid(x)), the exact GELU, x*0.5*(1+Erf(x/sqrt(2))), and as x*m of a mask input");
            case "Div":
                throw NodeError(node, "it divides two tensors the network computes; NetGen divides by constants only");
            default:
                throw NodeError(node, $"unsupported op {node.OpType}; supported: {string.Join(", ", OnnxImporter.SupportedOps)}");
        }
    }

    private string Finish()
    {
        string outputName = _outputName;
        if (_branchBase.Count > 0)
        {
            throw ModelError($"{_branchBase.Keys.First()} is not joined by a Concat with the others; NetGen networks are a chain, whose branches of linear layers meet in a Concat");
        }

        if (_segments.Count > 0)
        {
            throw ModelError($"the inputs {Quoted(_segments.Keys)} are not joined by a Concat on the feature axis; NetGen networks have one input, which several inputs can be as the parts of a Concat");
        }

        if (_constants.ContainsKey(outputName))
        {
            throw ModelError($"the graph's output '{outputName}' is a constant");
        }

        if (_shapes.ContainsKey(outputName))
        {
            throw ModelError($"the graph's output '{outputName}' is a tensor's shape; NetGen reads shapes only into a Reshape");
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

        if (_sideParts.Count > 0)
        {
            // Mask inputs follow the data in the network's input; the layers read the data.
            if (_inputParts.Count == 0)
            {
                _inputParts.Add(new InputPartValue(DescriptionWriter.Name(_inputName), checked((int)_inputFeatures)));
            }

            _layers.Insert(0, new SliceLayer(0, checked((int)_inputFeatures)));
            _inputParts.AddRange(_sideParts);
            _inputFeatures += _sideParts.Sum(p => (long)p.Size);
            RequireInputFeatures(null);
        }

        var constants = new List<ConstantValue>();
        foreach (string name in _constantOutputs)
        {
            if (!_constants.TryGetValue(name, out var constant))
            {
                throw ModelError($"the constant output '{name}' is computed by nodes the importer does not fold");
            }

            constants.Add(new ConstantValue(DescriptionWriter.Name(name), constant.Values));
        }

        string producer = _model.ProducerName.Length == 0 ? "an unnamed producer" : (_model.ProducerName + " " + _model.ProducerVersion).Trim();
        var description = new System.Text.StringBuilder($"Imported from {Source} ({producer}, opset {_opset.ToString(CultureInfo.InvariantCulture)}) by netgen import");
        if (_graph.Output.Count > 1)
        {
            description.Append($"; output '{outputName}'");
        }

        if (_droppedInputs.Count > 0)
        {
            description.Append($"; inputs it does not read, dropped: {Quoted(_droppedInputs)}");
        }

        description.Append('.');
        return DescriptionWriter.Write(checked((int)_inputFeatures), description.ToString(), _layers, _inputParts, constants);
    }

    /// <summary>
    /// A Concat of the inputs' segments on the feature axis: the network's input. Each segment's
    /// element-wise steps must line up with the others' (the same activations in the same order,
    /// with affine steps anywhere between them), and become one step over the joined features: an
    /// affine step of each part's scale and shift (1 and 0 for a part without one), the activations
    /// as they are.
    /// </summary>
    private void ReadConcat(NodeProto node)
    {
        var parts = node.Input.Where(i => i.Length > 0).Select(i => (Name: i, Value: Get(node, i))).ToList();
        if (parts.Count == 1 && parts[0].Value.Segment is null)
        {
            // A Concat of one tensor of the chain (torch.cat of a list of one, as a policy with one
            // discrete branch has it) is that tensor.
            Alias(node, node.Output[0], parts[0].Name);
            return;
        }

        if (parts.Any(p => p.Value.Segment is { } s && _branchBase.ContainsKey(s)))
        {
            ReadBranchConcat(node, parts);
            return;
        }

        if (parts.Count == 0 || parts.Any(p => p.Value.Segment is null) || _layers.Count > 0)
        {
            throw NodeError(node, "it concatenates tensors that are not the graph's inputs (or their element-wise steps); NetGen joins only inputs, into the network's input");
        }

        foreach (var (name, value) in parts)
        {
            if (value.Position != Chain(value.Segment).Count)
            {
                throw NodeError(node, $"it reads '{name}', which is not the latest step of the input '{value.Segment}'");
            }
        }

        var segments = parts.Select(p => p.Value.Segment!).ToList();
        if (segments.Distinct(StringComparer.Ordinal).Count() != segments.Count || segments.Count != _segments.Count)
        {
            throw NodeError(node, $"it joins {Quoted(segments)}; NetGen's network input is every input once ({Quoted(_segments.Keys)})");
        }

        int rank = parts[0].Value.Shape.Length;
        long axis = IntAttribute(node, "axis", 1);
        if ((axis < 0 ? axis + rank : axis) != rank - 1 || parts.Any(p => p.Value.Shape.Length != rank))
        {
            throw NodeError(node, $"axis {axis} of rank-{rank} inputs is not the feature (last) axis; NetGen joins inputs along their features");
        }

        foreach (var (name, value) in parts)
        {
            if (value.Features <= 0)
            {
                throw NodeError(node, $"the input '{value.Segment}' has shape {OnnxTensors.Format(value.Shape)}, whose feature (last) axis has no fixed size");
            }

            _inputParts.Add(new InputPartValue(DescriptionWriter.Name(value.Segment!), checked((int)value.Features)));
        }

        // Each segment as slots: the affine step before each activation, and after the last.
        var slotted = parts.Select(p => Slots(node, p.Value.Segment!)).ToList();
        var activations = slotted[0].Activations;
        for (int s = 1; s < slotted.Count; s++)
        {
            if (!slotted[s].Activations.Select(DescriptionWriter.Describe).SequenceEqual(activations.Select(DescriptionWriter.Describe), StringComparer.Ordinal))
            {
                throw NodeError(node, $"the input '{segments[s]}' goes through {Steps(slotted[s].Activations)} before the Concat, and '{segments[0]}' through {Steps(activations)}; NetGen joins inputs whose element-wise steps are the same (affine steps aside)");
            }
        }

        for (int slot = 0; slot <= activations.Count; slot++)
        {
            var affines = slotted.Select(x => x.Affines[slot]).ToList();
            if (affines.Any(a => a is not null))
            {
                _layers.Add(Joined(affines, _inputParts.Select(p => p.Size).ToList()));
            }

            if (slot < activations.Count)
            {
                _layers.Add(activations[slot]);
            }
        }

        _segments.Clear();
        _inputFeatures = _inputParts.Sum(p => (long)p.Size);
        _inputName = string.Join(", ", segments);
        var shape = parts[0].Value.Shape.Take(rank - 1).Append(_inputFeatures).ToArray();
        _values[node.Output[0]] = new Value(_layers.Count, shape);
    }

    private static string Steps(IReadOnlyList<Layer> layers) => layers.Count == 0 ? "no activation" : string.Join(", ", layers.Select(l => l.Op));

    /// <summary>A segment's layers as the affine step (or none) before each activation, and after the last.</summary>
    private (List<AffineLayer?> Affines, List<Layer> Activations) Slots(NodeProto node, string segment)
    {
        var affines = new List<AffineLayer?> { null };
        var activations = new List<Layer>();
        foreach (var layer in _segments[segment])
        {
            switch (layer)
            {
                case AffineLayer affine:
                    affines[^1] = affines[^1] is { } before ? Merge(before, affine) : affine;
                    break;
                case ActivationLayer { Op: not ("softmax" or "log_softmax") } activation:
                    activations.Add(activation);
                    affines.Add(null);
                    break;
                default:
                    throw NodeError(node, $"the input '{segment}' goes through a {layer.Op} layer before the Concat; NetGen joins inputs after element-wise steps only (an input's own linear layers are not a chain)");
            }
        }

        return (affines, activations);
    }

    /// <summary>One affine step over the joined features from each part's (null: the identity there).</summary>
    private static AffineLayer Joined(List<AffineLayer?> affines, List<int> sizes)
    {
        var scale = new List<float>();
        var shift = new List<float>();
        for (int p = 0; p < affines.Count; p++)
        {
            for (int i = 0; i < sizes[p]; i++)
            {
                scale.Add((float)At(affines[p]?.Scale, i, 1));
                shift.Add((float)At(affines[p]?.Shift, i, 0));
            }
        }

        return new AffineLayer(
            affines.Any(a => a?.Scale is not null) ? scale.ToArray() : null,
            affines.Any(a => a?.Shift is not null) ? shift.ToArray() : null);
    }

    private List<Layer> Chain(string? segment) => segment is null ? _layers : _segments[segment];

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
            if (value.Position != 0 || _layers.Count != 0 || value.Segment is not null)
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

        _values[node.Output[0]] = new Value(value.Position, new[] { batch, keepsFeatures ? value.Features : features }, value.Segment);
    }

    private void Elementwise(NodeProto node, Layer layer, string? output = null)
    {
        if (layer is ActivationLayer { Parameters: var parameters } && parameters.FirstOrDefault(p => !float.IsFinite(p.Value)) is { Key: not null } bad)
        {
            throw NodeError(node, $"its {bad.Key} is {bad.Value.ToString(CultureInfo.InvariantCulture)}; the format takes finite numbers");
        }

        var value = Latest(node, node.Input[0]);
        AddLayer(layer, output ?? node.Output[0], value.Shape);
    }

    private void AddLayer(Layer layer, string output, long[] shape)
    {
        var chain = Chain(_segment);
        if (_segment is null)
        {
            RequireInputFeatures(output);
        }

        chain.Add(layer);
        _values[output] = new Value(chain.Count, shape, _segment);
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

        if (a.Features <= 0 && a.Position == 0 && a.Segment is null && _layers.Count == 0)
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
