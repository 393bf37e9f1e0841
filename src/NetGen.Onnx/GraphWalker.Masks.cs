using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Onnx.Proto;

namespace NetGen.Onnx;

/// <summary>
/// Masked discrete heads, as ML-Agents exports them: a <i>mask input</i> (such as
/// <c>action_masks</c>) read only through Slice and arithmetic by constants, then multiplied into
/// the logits and combined with a fill (<c>logits ⊙ m − 1e8 ⊙ (1 − m)</c>), becomes an input part
/// and the format's <c>mask</c>; an <c>ArgMax</c> of the features becomes <c>argmax</c>; and
/// branches of linear layers from one tensor, joined by a <c>Concat</c> on the features, become one
/// linear layer over all of them with the branches' steps joined (an argmax of each branch's group).
/// </summary>
internal sealed partial class GraphWalker
{
    /// <summary>The ops through which a mask input's values may pass on their own (with constants).</summary>
    private static readonly HashSet<string> MaskOps = new(StringComparer.Ordinal) { "Slice", "Mul", "Add", "Sub", "Div", "Neg", "Identity" };

    private readonly Dictionary<string, MaskTerm> _masks = new(StringComparer.Ordinal);
    private readonly List<InputPartValue> _sideParts = new();
    private readonly Dictionary<string, int> _branchBase = new(StringComparer.Ordinal);
    private HashSet<string> _sideInputs = new(StringComparer.Ordinal);

    /// <summary>
    /// <c>A m + B</c>, where <c>m</c> is the features <c>[Start, Start + Size)</c> of the mask input
    /// <see cref="Input"/>, and <see cref="A"/> and <see cref="B"/> are the same for every feature.
    /// </summary>
    private sealed record MaskTerm(string Input, long Start, long Size, long[] Shape, double A, double B);

    /// <summary>
    /// The inputs the chosen output reads only as masks: every node that reads one of their values
    /// is Slice, Identity, Neg, or arithmetic with constants, or an Add, Sub or Mul with one tensor
    /// the network computes (where a mask meets the logits), and at least one is such a Mul.
    /// One input at least stays the network's data.
    /// </summary>
    private HashSet<string> FindSideInputs(bool[] needed, HashSet<string> used)
    {
        // Constants, including what Constant nodes and arithmetic of constants write.
        var constant = new HashSet<string>(_constants.Keys, StringComparer.Ordinal);
        for (int i = 0; i < _graph.Node.Count; i++)
        {
            var node = _graph.Node[i];
            if (node.OpType == "Constant" || (Foldable.Contains(node.OpType) && node.Input.Where(n => n.Length > 0).All(constant.Contains)))
            {
                constant.UnionWith(node.Output);
            }
        }

        var side = new HashSet<string>(StringComparer.Ordinal);
        foreach (string input in _graph.Input.Select(i => i.Name).Where(used.Contains))
        {
            var derived = new HashSet<string>(StringComparer.Ordinal) { input };
            bool meets = false, only = true;
            for (int i = 0; i < _graph.Node.Count && only; i++)
            {
                var node = _graph.Node[i];
                if (!needed[i] || !node.Input.Any(derived.Contains))
                {
                    continue;
                }

                var others = node.Input.Where(n => n.Length > 0 && !derived.Contains(n) && !constant.Contains(n)).ToList();
                if (others.Count == 0 && MaskOps.Contains(node.OpType))
                {
                    derived.UnionWith(node.Output.Where(n => n.Length > 0));
                }
                else if (others.Count == 1 && node.OpType is "Mul" or "Add" or "Sub")
                {
                    // The mask meets the network's tensor; a mask is multiplied into it at least once.
                    meets |= node.OpType == "Mul";
                }
                else
                {
                    only = false;
                }
            }

            if (only && meets)
            {
                side.Add(input);
            }
        }

        return side.Count < used.Count ? side : new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>A mask input: a part of the network's input after the data, and the term <c>m</c> itself.</summary>
    private void AddSideInput(string name, long[] shape)
    {
        long features = shape[^1];
        if (features <= 0 || features > int.MaxValue)
        {
            throw ModelError($"the mask input '{name}' has shape {OnnxTensors.Format(shape)}, whose feature (last) axis has no fixed size");
        }

        _sideParts.Add(new InputPartValue(DescriptionWriter.Name(name), (int)features));
        _masks[name] = new MaskTerm(name, 0, features, shape, 1, 0);
    }

    /// <summary>
    /// A node that reads a mask term: arithmetic of the term with constants (a new term), or the
    /// term meeting the network's tensor: <c>Mul(x, m)</c> is a mask of fill 0, and an Add or Sub
    /// of <c>c (1 − m)</c> to that gives it the fill <c>c</c>. False when the node reads no term.
    /// </summary>
    private bool TryMask(NodeProto node)
    {
        var inputs = node.Input.Where(n => n.Length > 0).ToList();
        var terms = inputs.Where(_masks.ContainsKey).ToList();
        if (terms.Count == 0)
        {
            return false;
        }

        if (node.OpType == "Slice")
        {
            ReadSlice(node);
            return true;
        }

        var term = _masks[terms[0]];
        string? other = inputs.FirstOrDefault(n => !_masks.ContainsKey(n) && !_constants.ContainsKey(n));
        if (terms.Count > 1)
        {
            throw NodeError(node, $"it combines two values of the mask input '{term.Input}'; NetGen reads a mask through Slice and arithmetic by constants");
        }

        if (other is null)
        {
            _masks[node.Output[0]] = MaskArithmetic(node, term, inputs);
            return true;
        }

        var value = Latest(node, other);
        if (value.Features != term.Size)
        {
            throw NodeError(node, $"it combines {term.Size} features of the mask input '{term.Input}' with a tensor of shape {OnnxTensors.Format(value.Shape)}; a mask has one value per feature");
        }

        var chain = Chain(value.Segment);
        switch (node.OpType)
        {
            case "Mul" when term.A == 1 && term.B == 0:
                // x ⊙ m: a mask whose fill is 0 until an Add or Sub gives it one.
                AddLayer(new MaskLayer(DescriptionWriter.Name(term.Input), checked((int)term.Start), 0f), node.Output[0], value.Shape);
                return true;

            case "Add" or "Sub" when chain.Count > 0 && chain[^1] is MaskLayer { Fill: 0f } masked && value.Position == chain.Count
                && masked.Input == DescriptionWriter.Name(term.Input) && masked.Start == term.Start
                && SingleConsumer(other) is { } only && only.Node == node && !(node.OpType == "Sub" && inputs[0] != other):
            {
                // x m ± (a m + b) = x m + fill (1 − m) when a = −b: fill = ±b.
                double sign = node.OpType == "Sub" ? -1 : 1;
                double a = sign * term.A, b = sign * term.B;
                float fill = (float)b;
                if (a != -b || !float.IsFinite(fill))
                {
                    throw NodeError(node, $"it adds {Number(a)}·m + {Number(b)} to the masked tensor; NetGen's mask fills with c·(1 − m), so the two must be opposite");
                }

                chain[^1] = masked with { Fill = fill };
                _values[node.Output[0]] = value;
                return true;
            }

            default:
                throw NodeError(node, $"it computes {node.OpType} of the network's tensor and {Number(term.A)}·m + {Number(term.B)} of the mask input '{term.Input}'; NetGen reads a mask as x·m, then plus c·(1 − m)");
        }
    }

    /// <summary>A term through Identity, Neg, or arithmetic with one constant (one value for every feature).</summary>
    private MaskTerm MaskArithmetic(NodeProto node, MaskTerm term, List<string> inputs)
    {
        if (node.OpType is "Identity")
        {
            return term;
        }

        if (node.OpType is "Neg")
        {
            return term with { A = -term.A, B = -term.B };
        }

        if (inputs.Count != 2 || !_constants.TryGetValue(inputs[0] == inputs.First(_masks.ContainsKey) ? inputs[1] : inputs[0], out var constant) || constant.Values.Length != 1)
        {
            throw NodeError(node, $"it computes {node.OpType} of the mask input '{term.Input}' with a constant that is not one number; NetGen reads a mask through arithmetic by one number");
        }

        double c = constant.Values[0];
        bool termFirst = _masks.ContainsKey(inputs[0]);
        return node.OpType switch
        {
            "Mul" => term with { A = term.A * c, B = term.B * c },
            "Div" when termFirst => term with { A = term.A / c, B = term.B / c },
            "Add" => term with { B = term.B + c },
            "Sub" when termFirst => term with { B = term.B - c },
            "Sub" => term with { A = -term.A, B = c - term.B },
            _ => throw NodeError(node, $"it divides a constant by the mask input '{term.Input}'; NetGen reads a mask through arithmetic by constants"),
        };
    }

    /// <summary>
    /// <c>ArgMax</c> of the features, keeping them as an axis of 1 (the first largest, or with
    /// <c>select_last_index</c> the last, as the format's argmax), or dropping it as the graph's
    /// output. A softmax just before it, read by nothing else, is left out: it keeps the order.
    /// </summary>
    private void ReadArgMax(NodeProto node)
    {
        var value = Latest(node, node.Input[0]);
        int rank = value.Shape.Length;
        long axis = IntAttribute(node, "axis", 0);
        if ((axis < 0 ? axis + rank : axis) != rank - 1)
        {
            throw NodeError(node, $"it takes the argmax over axis {axis} of {OnnxTensors.Format(value.Shape)}; NetGen takes it over the features (the last axis)");
        }

        // keepdims 0 drops the axis; as the graph's output of [batch, features] its values are the
        // same floats as [batch, 1]'s, in the same order. Anywhere else the axes would shift.
        if (IntAttribute(node, "keepdims", 1) != 1 && !(node.Output[0] == _outputName && rank == 2))
        {
            throw NodeError(node, "keepdims is 0 and its output is read on; NetGen keeps the feature axis (of size 1), or drops it only where the argmax of [batch, features] is the graph's output");
        }

        var chain = Chain(_segment);
        if (chain.Count > 0 && chain[^1] is ActivationLayer { Op: "softmax" or "log_softmax" } && SingleConsumer(node.Input[0]) is { } only && only.Node == node)
        {
            chain.RemoveAt(chain.Count - 1);
        }

        AddLayer(new ArgMaxLayer(null, Last: IntAttribute(node, "select_last_index", 0) != 0), node.Output[0], value.Shape.Take(rank - 1).Append(1L).ToArray());
    }

    /// <summary>
    /// The input of a Gemm or MatMul: the latest tensor, or an earlier one of the chain, which then
    /// starts a branch (a chain of its own until a Concat joins the branches).
    /// </summary>
    private Value LatestOrBranch(NodeProto node, string name)
    {
        var value = Get(node, name);
        if (value.Segment is not null || value.Position >= _layers.Count)
        {
            return Latest(node, name);
        }

        string branch = $"the branch from '{name}' at node {Label(node)}";
        _segments[branch] = new List<Layer>();
        _branchBase[branch] = value.Position;
        _segment = branch;
        return new Value(0, value.Shape, branch);
    }

    /// <summary>
    /// A Concat of branches from one tensor: each a linear layer, then the same element-wise steps,
    /// masks of consecutive features of one input part, and an argmax. They become one linear layer
    /// (the branches' rows in the Concat's order) and each step once over all of their features.
    /// </summary>
    private void ReadBranchConcat(NodeProto node, List<(string Name, Value Value)> parts)
    {
        var bases = parts.Where(p => p.Value.Segment is not null).Select(p => _branchBase.TryGetValue(p.Value.Segment!, out int b) ? b : -1).Distinct().ToList();
        if (bases.Count != 1 || bases[0] < 0)
        {
            throw NodeError(node, "it joins branches that do not start from one tensor; NetGen joins the branches of one tensor on its features");
        }

        int start = bases[0];
        var branches = new List<List<Layer>>();
        foreach (var (name, value) in parts)
        {
            if (value.Position != Chain(value.Segment).Count)
            {
                throw NodeError(node, $"it reads '{name}', which is not the latest step of its branch");
            }

            branches.Add(value.Segment is null ? _layers.GetRange(start, _layers.Count - start) : _segments[value.Segment]);
        }

        if (parts.Count(p => p.Value.Segment is null) > 1 || parts.Select(p => p.Value.Segment).Distinct().Count() != parts.Count)
        {
            throw NodeError(node, "it joins one branch twice");
        }

        int rank = parts[0].Value.Shape.Length;
        long axis = IntAttribute(node, "axis", 1);
        if ((axis < 0 ? axis + rank : axis) != rank - 1)
        {
            throw NodeError(node, $"axis {axis} of rank-{rank} branches is not the feature (last) axis; NetGen joins branches along their features");
        }

        var joined = JoinBranches(node, branches);
        _layers.RemoveRange(start, _layers.Count - start);
        _layers.AddRange(joined);
        foreach (var segment in parts.Select(p => p.Value.Segment).OfType<string>())
        {
            _segments.Remove(segment);
            _branchBase.Remove(segment);
        }

        long features = parts.Sum(p => p.Value.Features);
        _values[node.Output[0]] = new Value(_layers.Count, parts[0].Value.Shape.Take(rank - 1).Append(features).ToArray());
    }

    private List<Layer> JoinBranches(NodeProto node, List<List<Layer>> branches)
    {
        if (branches.Any(b => b.Count == 0 || b[0] is not LinearLayer) || branches.Select(b => b.Count).Distinct().Count() != 1)
        {
            throw NodeError(node, $"it joins branches of {string.Join(" | ", branches.Select(Steps))}; NetGen joins branches that are each a linear layer (Gemm or MatMul) followed by the same steps");
        }

        var linears = branches.Select(b => (LinearLayer)b[0]).ToList();
        int inputs = linears[0].Weight.Shape[1];
        if (linears.Any(l => l.Weight.Shape[1] != inputs))
        {
            throw NodeError(node, "it joins linear layers of different input sizes");
        }

        var sizes = linears.Select(l => l.Out).ToList();
        var joined = new List<Layer>
        {
            new LinearLayer(
                sizes.Sum(),
                new TensorValue(new[] { sizes.Sum(), inputs }, linears.SelectMany(l => l.Weight.Values).ToArray()),
                linears.Any(l => l.Bias is not null) ? new TensorValue(new[] { sizes.Sum() }, linears.SelectMany(l => l.Bias?.Values ?? new float[l.Out]).ToArray()) : null),
        };

        int depth = branches[0].Count;
        for (int d = 1; d < depth; d++)
        {
            var step = branches.Select(b => b[d]).ToList();
            switch (step[0])
            {
                case ArgMaxLayer first when d == depth - 1 && step.All(s => s is ArgMaxLayer { Groups: null } a && a.Last == first.Last):
                    joined.Add(new ArgMaxLayer(sizes.ToArray(), first.Last));
                    break;

                case MaskLayer first when step.All(s => s is MaskLayer m && m.Input == first.Input && m.Fill.Equals(first.Fill))
                    && step.Select((s, k) => ((MaskLayer)s).Start == first.Start + sizes.Take(k).Sum()).All(ok => ok):
                    joined.Add(first);
                    break;

                case AffineLayer when step.All(s => s is AffineLayer):
                    joined.Add(Joined(step.Cast<AffineLayer?>().ToList(), sizes));
                    break;

                case ActivationLayer { Op: not ("softmax" or "log_softmax") } activation
                    when step.All(s => s is ActivationLayer && DescriptionWriter.Describe(s) == DescriptionWriter.Describe(activation)):
                    joined.Add(activation);
                    break;

                default:
                    throw NodeError(node, $"step {d + 1} of the branches it joins is {string.Join(" | ", step.Select(DescribeStep))}; NetGen joins the same element-wise step, masks of consecutive features of one input, or argmax as the last");
            }
        }

        return joined;
    }

    private static string DescribeStep(Layer layer) => layer is MaskLayer m ? $"mask of '{m.Input}' from {m.Start}" : layer.Op;

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
