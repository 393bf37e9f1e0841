using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Onnx.Proto;

namespace NetGen.Onnx;

/// <summary>
/// Shape plumbing: <c>Reshape</c>, <c>Squeeze</c> and <c>Unsqueeze</c> that keep the feature axis
/// are removed (they only regroup the batch axes), and the shape arithmetic exporters write for
/// <c>x.view(x.size(0), -1)</c> (<c>Shape</c>, <c>Gather</c>, <c>Unsqueeze</c>, <c>Concat</c>,
/// <c>Cast</c>) is folded into the shape it computes, with the batch axes it copies marked.
/// </summary>
internal sealed partial class GraphWalker
{
    /// <summary>Marks "axis k of the tensor whose shape was taken" in a shape tensor (<c>-BatchAxis - k</c>).</summary>
    private const long BatchAxis = 1_000_000;

    /// <summary>Shape tensors the graph computes from the network's tensors: known sizes, or <c>-BatchAxis - k</c> for axis k.</summary>
    private readonly Dictionary<string, long[]> _shapes = new(StringComparer.Ordinal);

    /// <summary>Shape arithmetic over shape tensors and constants; false when the node is not that.</summary>
    private bool TryShapeArithmetic(NodeProto node)
    {
        var inputs = node.Input.Where(i => i.Length > 0).ToList();
        if (node.OpType == "Shape" && inputs.Count == 1 && _values.TryGetValue(inputs[0], out var value))
        {
            long start = IntAttribute(node, "start", 0), end = IntAttribute(node, "end", value.Shape.Length);
            int rank = value.Shape.Length;
            start = Math.Clamp(start < 0 ? start + rank : start, 0, rank);
            end = Math.Clamp(end < 0 ? end + rank : end, 0, rank);
            _shapes[node.Output[0]] = Enumerable.Range((int)start, (int)Math.Max(0, end - start))
                .Select(k => value.Shape[k] > 0 ? value.Shape[k] : -BatchAxis - k).ToArray();
            return true;
        }

        if (inputs.Count == 0 || !inputs.Any(_shapes.ContainsKey) || !inputs.All(i => _shapes.ContainsKey(i) || _constants.ContainsKey(i)))
        {
            return false;
        }

        long[] Of(string name) => _shapes.TryGetValue(name, out var s) ? s : _constants[name].Values.Select(v => (long)v).ToArray();
        long[] result;
        switch (node.OpType)
        {
            case "Identity" or "Cast" or "Unsqueeze" or "Squeeze":
                // A shape is a vector; Unsqueeze of a scalar gathered from it makes it one again.
                result = Of(inputs[0]);
                break;
            case "Gather" when IntAttribute(node, "axis", 0) == 0 && _constants.ContainsKey(inputs[1]):
            {
                long[] data = Of(inputs[0]);
                long[] indices = _constants[inputs[1]].Values.Select(v => (long)v).Select(i => i < 0 ? i + data.Length : i).ToArray();
                if (indices.Any(i => i < 0 || i >= data.Length))
                {
                    throw NodeError(node, $"it gathers index {string.Join(", ", _constants[inputs[1]].Values)} of a shape of {data.Length} values");
                }

                result = indices.Select(i => data[i]).ToArray();
                break;
            }

            case "Concat":
                result = inputs.SelectMany(Of).ToArray();
                break;
            default:
                throw NodeError(node, $"it computes on the shape '{inputs.First(_shapes.ContainsKey)}'; NetGen folds Shape only through Gather, Unsqueeze, Squeeze, Concat and Cast into a Reshape's shape");
        }

        _shapes[node.Output[0]] = result;
        return true;
    }

    /// <summary>Reshape that keeps the feature axis (the target's last axis is the input's features): removed.</summary>
    private void ReadReshape(NodeProto node)
    {
        var value = Latest(node, node.Input[0]);
        long n = RequireKnownFeatures(node, value);
        long[] target;
        if (InputName(node, 1) is { } shapeName)
        {
            target = _shapes.TryGetValue(shapeName, out var computed)
                ? computed
                : ConstantInput(node, shapeName, "shape").Values.Select(v => (long)v).ToArray();
        }
        else
        {
            target = node.Attribute.FirstOrDefault(a => a.Name == "shape")?.Ints.ToArray() ?? throw NodeError(node, "it has no shape");
        }

        bool allowZero = IntAttribute(node, "allowzero", 0) != 0;
        int rank = value.Shape.Length;
        string Text() => OnnxTensors.Format(value.Shape) + " to [" + string.Join(", ", target.Select(d => d <= -BatchAxis ? "batch" : d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";

        // The size an entry of the target gives its axis: known, or the input axis it copies.
        long Size(int i)
        {
            long d = target[i];
            if (d <= -BatchAxis)
            {
                long k = -BatchAxis - d;
                return k == rank - 1 ? n : -2;
            }

            return d == 0 && !allowZero ? (i == rank - 1 ? n : i < rank ? value.Shape[i] : -2) : d;
        }

        bool keeps = target.Length > 0 && Size(target.Length - 1) == n;
        if (!keeps && target.Length == rank && target[^1] == -1)
        {
            // [batch..., -1]: the feature axis is what the leading axes leave, the input's own
            // features when each leading entry copies the input's axis there.
            keeps = Enumerable.Range(0, rank - 1).All(i => target[i] == -BatchAxis - i || (target[i] == 0 && !allowZero) || (target[i] > 0 && target[i] == value.Shape[i]));
        }

        if (!keeps)
        {
            throw NodeError(node, $"it reshapes {Text()}, which changes the feature (last) axis; NetGen removes a Reshape only when it keeps the features");
        }

        var shape = Enumerable.Range(0, target.Length).Select(i => Size(i) > 0 ? Size(i) : -1).ToArray();
        shape[^1] = n;
        _values[node.Output[0]] = value with { Shape = shape };
    }

    /// <summary>
    /// Slice: of the features, a <c>slice</c> layer (removed where it keeps them all); of a batch
    /// axis, only the whole axis. Before opset 10 the starts, ends and axes are attributes; from
    /// 10 they are constant inputs, with steps that must be 1.
    /// </summary>
    private void ReadSlice(NodeProto node)
    {
        bool mask = _masks.TryGetValue(node.Input[0], out var term);
        var value = mask ? new Value(0, term!.Shape) : Latest(node, node.Input[0]);
        long n = RequireKnownFeatures(node, value);
        int rank = value.Shape.Length;
        long[] Ints(int input, string attribute) => _opset < 10
            ? node.Attribute.FirstOrDefault(a => a.Name == attribute)?.Ints.ToArray() ?? Array.Empty<long>()
            : InputName(node, input) is { } name ? ConstantInput(node, name, attribute).Values.Select(v => (long)Math.Clamp(v, long.MinValue / 2, long.MaxValue / 2)).ToArray() : Array.Empty<long>();
        long[] starts = Ints(1, "starts"), ends = Ints(2, "ends");
        long[] axes = Ints(3, "axes");
        long[] steps = Ints(4, "steps");
        if (axes.Length == 0)
        {
            axes = Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        }

        if (starts.Length != ends.Length || starts.Length != axes.Length || (steps.Length > 0 && steps.Length != starts.Length))
        {
            throw NodeError(node, "its starts, ends, axes and steps are not of one length");
        }

        long start = 0, end = n;
        for (int i = 0; i < axes.Length; i++)
        {
            long axis = axes[i] < 0 ? axes[i] + rank : axes[i];
            if (axis < 0 || axis >= rank)
            {
                throw NodeError(node, $"axis {axes[i]} is outside a rank-{rank} input");
            }

            if (steps.Length > 0 && steps[i] != 1)
            {
                throw NodeError(node, $"its step on axis {axes[i]} is {steps[i]}; NetGen slices runs of features (step 1)");
            }

            long size = axis == rank - 1 ? n : value.Shape[axis];
            long Clamp(long v) => size < 0 ? v : Math.Clamp(v < 0 ? v + size : v, 0, size);
            long s = Clamp(starts[i]), e = Clamp(ends[i]);
            if (axis == rank - 1)
            {
                (start, end) = (s, e);
            }
            else if (s != 0 || (size < 0 ? ends[i] < int.MaxValue : e != size))
            {
                throw NodeError(node, $"it slices axis {axes[i]} of {OnnxTensors.Format(value.Shape)}, a batch axis; NetGen slices the features only");
            }
        }

        if (start >= end)
        {
            throw NodeError(node, $"it keeps no feature ({start} to {end} of {n})");
        }

        var shape = value.Shape.Take(rank - 1).Append(end - start).ToArray();
        if (mask)
        {
            _masks[node.Output[0]] = term! with { Start = term.Start + start, Size = end - start, Shape = shape };
            return;
        }

        if (start == 0 && end == n)
        {
            _values[node.Output[0]] = value with { Shape = shape };
            return;
        }

        AddLayer(new SliceLayer((int)start, (int)end), node.Output[0], shape);
    }

    /// <summary>Split of the features of which one output is used: that output's slice.</summary>
    private void ReadSplit(NodeProto node)
    {
        var value = Latest(node, node.Input[0]);
        long n = RequireKnownFeatures(node, value);
        int rank = value.Shape.Length;
        long axis = IntAttribute(node, "axis", 0);
        if ((axis < 0 ? axis + rank : axis) != rank - 1)
        {
            throw NodeError(node, $"axis {axis} of a rank-{rank} input is not the feature (last) axis; NetGen splits the features only");
        }

        long[] sizes = InputName(node, 1) is { } name
            ? ConstantInput(node, name, "split").Values.Select(v => (long)v).ToArray()
            : node.Attribute.FirstOrDefault(a => a.Name == "split")?.Ints.ToArray() ?? Array.Empty<long>();
        int outputs = node.Output.Count;
        if (sizes.Length == 0)
        {
            // Equal parts, the last one smaller when they do not divide the features (opset 18).
            long part = (n + outputs - 1) / outputs;
            sizes = Enumerable.Range(0, outputs).Select(i => Math.Max(0, Math.Min(part, n - (i * part)))).ToArray();
        }

        if (sizes.Length != outputs || sizes.Sum() != n || sizes.Any(s => s < 0))
        {
            throw NodeError(node, $"its parts [{string.Join(", ", sizes)}] do not split {n} features into {outputs} outputs");
        }

        var used = Enumerable.Range(0, outputs).Where(i => node.Output[i].Length > 0 && IsUsed(node.Output[i])).ToList();
        if (used.Count != 1)
        {
            throw NodeError(node, used.Count == 0 ? "none of its outputs is used" : $"{used.Count} of its outputs are used; a NetGen network is a chain, and reads one part");
        }

        int k = used[0];
        long start = sizes.Take(k).Sum();
        var shape = value.Shape.Take(rank - 1).Append(sizes[k]).ToArray();
        if (sizes[k] == n)
        {
            _values[node.Output[k]] = value with { Shape = shape };
            return;
        }

        AddLayer(new SliceLayer((int)start, (int)(start + sizes[k])), node.Output[k], shape);
    }

    /// <summary>Squeeze and Unsqueeze of batch axes: removed. The axes are an attribute before opset 13, an input from 13.</summary>
    private void ReadSqueeze(NodeProto node)
    {
        var value = Latest(node, node.Input[0]);
        RequireKnownFeatures(node, value);
        long[]? axes = InputName(node, 1) is { } name
            ? ConstantInput(node, name, "axes").Values.Select(v => (long)v).ToArray()
            : node.Attribute.FirstOrDefault(a => a.Name == "axes")?.Ints.ToArray();
        int rank = value.Shape.Length;
        List<long> shape = value.Shape.ToList();
        if (node.OpType == "Unsqueeze")
        {
            int outputRank = rank + (axes?.Length ?? 0);
            var normalized = (axes ?? throw NodeError(node, "it has no axes")).Select(a => a < 0 ? a + outputRank : a).OrderBy(a => a).ToList();
            if (normalized.Any(a => a < 0 || a >= outputRank) || normalized.Distinct().Count() != normalized.Count)
            {
                throw NodeError(node, $"its axes [{string.Join(", ", axes)}] are not distinct axes of a rank-{outputRank} output");
            }

            if (normalized.Contains(outputRank - 1))
            {
                throw NodeError(node, $"it adds an axis after the features of {OnnxTensors.Format(value.Shape)}; NetGen keeps the features last");
            }

            foreach (long a in normalized)
            {
                shape.Insert((int)a, 1);
            }
        }
        else
        {
            var normalized = axes?.Select(a => a < 0 ? a + rank : a).Distinct().ToList() ?? Enumerable.Range(0, rank).Where(k => value.Shape[k] == 1).Select(k => (long)k).ToList();
            if (normalized.Any(a => a < 0 || a >= rank || value.Shape[a] > 1))
            {
                throw NodeError(node, $"its axes [{string.Join(", ", axes ?? Array.Empty<long>())}] are not axes of size 1 of {OnnxTensors.Format(value.Shape)}");
            }

            if (normalized.Contains(rank - 1))
            {
                throw NodeError(node, $"it removes the feature (last) axis of {OnnxTensors.Format(value.Shape)}; NetGen keeps the features last");
            }

            foreach (long a in normalized.OrderByDescending(a => a))
            {
                shape.RemoveAt((int)a);
            }
        }

        _values[node.Output[0]] = value with { Shape = shape.ToArray() };
    }
}
