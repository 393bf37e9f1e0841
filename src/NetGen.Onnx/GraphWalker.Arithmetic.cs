using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Onnx.Proto;

namespace NetGen.Onnx;

/// <summary>
/// Arithmetic: nodes whose inputs are all constants are folded at import (a normaliser's
/// <c>Sqrt(var / steps)</c>), and Add, Sub, Mul, Div and Neg of the network's tensor by constants
/// that are the same for every sample become the format's <c>affine</c>, consecutive ones merged
/// into one.
/// </summary>
internal sealed partial class GraphWalker
{
    private static readonly HashSet<string> Foldable = new(StringComparer.Ordinal) { "Add", "Sub", "Mul", "Div", "Sqrt", "Neg", "Reciprocal", "Identity", "Cast" };

    /// <summary>Folds a node of constants into a constant; false when it reads the network's data or is not foldable.</summary>
    private bool TryFold(NodeProto node)
    {
        var inputs = node.Input.Where(i => i.Length > 0).ToList();
        if (!Foldable.Contains(node.OpType) || inputs.Count == 0 || !inputs.All(_constants.ContainsKey) || node.Output.Count != 1)
        {
            return false;
        }

        if (node.OpType == "Cast" && IntAttribute(node, "to", 1) is not ((int)TensorProto.Types.DataType.Float or (int)TensorProto.Types.DataType.Double))
        {
            // A cast to an integer type rounds: not a float computation to fold.
            return false;
        }

        var a = _constants[inputs[0]];
        Constant folded = node.OpType switch
        {
            "Sqrt" => Map(a, Math.Sqrt),
            "Neg" => Map(a, v => -v),
            "Reciprocal" => Map(a, v => 1 / v),
            "Identity" or "Cast" => a,
            _ when inputs.Count == 2 => Broadcast(node, a, _constants[inputs[1]], node.OpType switch
            {
                "Add" => (x, y) => x + y,
                "Sub" => (x, y) => x - y,
                "Mul" => (x, y) => x * y,
                _ => (x, y) => x / y,
            }),
            _ => throw NodeError(node, $"{node.OpType} takes two inputs; it has {inputs.Count}"),
        };
        if (folded.Values.FirstOrDefault(v => !float.IsFinite(v)) is var bad && !float.IsFinite(bad))
        {
            throw NodeError(node, $"it computes {bad.ToString(System.Globalization.CultureInfo.InvariantCulture)} from constants; every weight must be a finite float32");
        }

        _constants[node.Output[0]] = folded with { Name = node.Output[0] };
        return true;
    }

    private static Constant Map(Constant a, Func<double, double> f) => a with { Values = a.Values.Select(v => (float)f(v)).ToArray() };

    /// <summary>An element-wise operation of two constants with NumPy's broadcasting, in double, each result rounded to float32 once.</summary>
    private Constant Broadcast(NodeProto node, Constant a, Constant b, Func<double, double, double> f)
    {
        int rank = Math.Max(a.Shape.Length, b.Shape.Length);
        long[] Pad(long[] s) => Enumerable.Repeat(1L, rank - s.Length).Concat(s).ToArray();
        long[] sa = Pad(a.Shape), sb = Pad(b.Shape);
        var shape = new long[rank];
        for (int d = 0; d < rank; d++)
        {
            if (sa[d] != sb[d] && sa[d] != 1 && sb[d] != 1)
            {
                throw NodeError(node, $"its constant inputs of shapes {a.ShapeText} and {b.ShapeText} do not broadcast");
            }

            shape[d] = Math.Max(sa[d], sb[d]);
        }

        long count = shape.Aggregate(1L, (p, d) => p * d);
        var values = new float[count];
        var index = new long[rank];
        for (long i = 0; i < count; i++)
        {
            long ia = 0, ib = 0;
            for (int d = 0; d < rank; d++)
            {
                ia = (ia * sa[d]) + (sa[d] == 1 ? 0 : index[d]);
                ib = (ib * sb[d]) + (sb[d] == 1 ? 0 : index[d]);
            }

            values[i] = (float)f(a.Values[ia], b.Values[ib]);
            for (int d = rank - 1; d >= 0 && ++index[d] == shape[d]; d--)
            {
                index[d] = 0;
            }
        }

        return new Constant(node.Output[0], shape, values);
    }

    /// <summary>Add, Sub, Mul or Div of the network's tensor and a constant: an affine layer. False when no input is a constant.</summary>
    private bool TryArithmetic(NodeProto node)
    {
        if (node.Input.Count != 2)
        {
            return false;
        }

        bool leftConstant = _constants.TryGetValue(node.Input[0], out var left);
        bool rightConstant = _constants.TryGetValue(node.Input[1], out var right);
        if (leftConstant == rightConstant)
        {
            return false;
        }

        string x = leftConstant ? node.Input[1] : node.Input[0];
        var c = leftConstant ? left! : right!;
        var value = Latest(node, x);
        long n = RequireKnownFeatures(node, value);
        if (!IsBroadcastVector(c, n) || c.Shape.Length > Math.Max(value.Shape.Length, 1))
        {
            throw NodeError(node, $"its constant '{c.Name}' has shape {c.ShapeText}; NetGen's affine takes one value, or one per feature ({n}), the same for every sample");
        }

        float[] k = c.Values;
        (float[]? Scale, float[]? Shift) affine = node.OpType switch
        {
            "Add" => (null, k),
            "Sub" when !leftConstant => (null, k.Select(v => -v).ToArray()),
            "Sub" => (new[] { -1f }, k),
            "Mul" => (k, null),
            "Div" when !leftConstant => (k.Select(v => (float)(1.0 / v)).ToArray(), null),
            _ => throw NodeError(node, $"it divides the constant '{c.Name}' by the network's tensor; NetGen divides only by constants"),
        };
        AddAffine(node, x, affine.Scale, affine.Shift, value);
        return true;
    }

    private void ReadNeg(NodeProto node)
    {
        var value = Latest(node, node.Input[0]);
        AddAffine(node, node.Input[0], new[] { -1f }, null, value);
    }

    /// <summary>
    /// Adds <c>x ⊙ scale + shift</c>, merged into the layer before when that is an affine layer
    /// whose output nothing else reads, under any of its names (an Identity or Reshape of it):
    /// <c>(x s₁ + b₁) s₂ + b₂ = x (s₁ s₂) + (b₁ s₂ + b₂)</c>, in double, each rounded to float32 once.
    /// </summary>
    private void AddAffine(NodeProto node, string x, float[]? scale, float[]? shift, Value value)
    {
        RequireFinite(node, scale, shift);
        var chain = Chain(value.Segment);
        bool onlyReader = SingleConsumer(x) is { } only && only.Node == node
            && _values.All(v => v.Key == x || v.Value.Segment != value.Segment || v.Value.Position != value.Position || !IsUsed(v.Key));
        if (chain.Count > 0 && chain[^1] is AffineLayer previous && value.Position == chain.Count && onlyReader)
        {
            var merged = Merge(previous, new AffineLayer(scale, shift));
            RequireFinite(node, merged.Scale, merged.Shift);
            chain[^1] = merged;
            _values[node.Output[0]] = value;
            return;
        }

        AddLayer(new AffineLayer(scale, shift), node.Output[0], value.Shape);
    }

    private void RequireFinite(NodeProto node, params float[]?[] values)
    {
        foreach (float v in values.Where(v => v is not null).SelectMany(v => v!))
        {
            if (!float.IsFinite(v))
            {
                throw NodeError(node, $"its scale or shift is {v.ToString(System.Globalization.CultureInfo.InvariantCulture)} (a division by 0, or beyond float32); the format's affine takes finite numbers");
            }
        }
    }

    /// <summary><c>b</c> after <c>a</c> as one affine layer: <c>(x s₁ + b₁) s₂ + b₂ = x (s₁ s₂) + (b₁ s₂ + b₂)</c>, in double, rounded once.</summary>
    private static AffineLayer Merge(AffineLayer a, AffineLayer b)
    {
        int n = new[] { a.Scale, a.Shift, b.Scale, b.Shift }.Max(v => v?.Length ?? 1);
        var scale = new float[n];
        var shift = new float[n];
        for (int i = 0; i < n; i++)
        {
            double s1 = At(a.Scale, i, 1), b1 = At(a.Shift, i, 0), s2 = At(b.Scale, i, 1), b2 = At(b.Shift, i, 0);
            scale[i] = (float)(s1 * s2);
            shift[i] = (float)((b1 * s2) + b2);
        }

        return new AffineLayer(a.Scale is null && b.Scale is null ? null : scale, a.Shift is null && b.Shift is null ? null : shift);
    }

    private static double At(float[]? values, int i, double absent) => values is null ? absent : values[values.Length == 1 ? 0 : i];
}
