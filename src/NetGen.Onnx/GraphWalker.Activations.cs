using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Onnx.Proto;

namespace NetGen.Onnx;

/// <summary>Activation patterns: the single nodes, and the multi-node forms (SiLU as x·Sigmoid(x), the exact GELU through Erf).</summary>
internal sealed partial class GraphWalker
{
    private void ReadSigmoid(NodeProto node)
    {
        // SiLU as exporters write it: Mul(x, Sigmoid(x)).
        string x = node.Input[0];
        if (SingleConsumer(node.Output[0]) is { } next && next.Node.OpType == "Mul" && next.Node.Input.Count == 2
            && next.Node.Input.Contains(x) && next.Node.Input.Contains(node.Output[0]))
        {
            _done[next.Index] = true;
            Elementwise(node, new ActivationLayer("silu"), next.Node.Output[0]);
            return;
        }

        Elementwise(node, new ActivationLayer("sigmoid"));
    }

    private void ReadHardSigmoid(NodeProto node)
    {
        float alpha = FloatAttribute(node, "alpha", 0.2f);
        float beta = FloatAttribute(node, "beta", 0.5f);

        // HardSwish as ONNX's own function body writes it: Mul(x, HardSigmoid(x, α = 1/6, β = ½)).
        string x = node.Input[0];
        if (alpha == 1f / 6f && beta == 0.5f
            && SingleConsumer(node.Output[0]) is { } next && next.Node.OpType == "Mul" && next.Node.Input.Count == 2
            && next.Node.Input.Contains(x) && next.Node.Input.Contains(node.Output[0]))
        {
            _done[next.Index] = true;
            Elementwise(node, new ActivationLayer("hard_swish"), next.Node.Output[0]);
            return;
        }

        Elementwise(node, new ActivationLayer("hard_sigmoid", null, ("alpha", alpha), ("beta", beta)));
    }

    /// <summary>Selu: with ONNX's default α and γ, the format's selu (whose constants they are); with others, γ · elu(x, α).</summary>
    private void ReadSelu(NodeProto node)
    {
        const float DefaultAlpha = 1.67326319217681884765625f;
        const float DefaultGamma = 1.05070102214813232421875f;
        float alpha = FloatAttribute(node, "alpha", DefaultAlpha);
        float gamma = FloatAttribute(node, "gamma", DefaultGamma);
        if (alpha == DefaultAlpha && gamma == DefaultGamma)
        {
            Elementwise(node, new ActivationLayer("selu"));
            return;
        }

        // Other constants: γ · elu(x, α), an elu and an affine scale.
        if (!float.IsFinite(alpha) || !float.IsFinite(gamma))
        {
            throw NodeError(node, "its alpha or gamma is not a finite number");
        }

        var value = Latest(node, node.Input[0]);
        AddLayer(new ActivationLayer("elu", null, ("alpha", alpha)), node.Output[0] + "/elu", value.Shape);
        AddLayer(new AffineLayer(new[] { gamma }, null), node.Output[0], value.Shape);
    }

    /// <summary>
    /// Clip: before opset 11 its bounds are the attributes <c>min</c> and <c>max</c>; from 11 on
    /// they are the optional inputs 1 and 2, which must be constant scalars. A bound left out is
    /// left out of the description too (no bound on that side).
    /// </summary>
    private void ReadClip(NodeProto node)
    {
        var parameters = new List<(string Key, float Value)>();
        if (_opset < 11)
        {
            foreach (string key in new[] { "min", "max" })
            {
                if (node.Attribute.FirstOrDefault(a => a.Name == key) is { } attribute)
                {
                    parameters.Add((key, attribute.F));
                }
            }
        }
        else
        {
            for (int i = 1; i <= 2; i++)
            {
                if (InputName(node, i) is not { } name)
                {
                    continue;
                }

                var bound = ConstantInput(node, name, i == 1 ? "min" : "max");
                if (!bound.IsScalar)
                {
                    throw NodeError(node, $"its {(i == 1 ? "min" : "max")} '{name}' has shape {bound.ShapeText}; Clip's bounds are scalars");
                }

                parameters.Add((i == 1 ? "min" : "max", bound.Values[0]));
            }
        }

        if (parameters.Any(p => float.IsNaN(p.Value)))
        {
            throw NodeError(node, "a bound is NaN");
        }

        // An infinite bound is no bound: the format leaves the key out.
        Elementwise(node, new ActivationLayer("clip", null, parameters.Where(p => !float.IsInfinity(p.Value)).ToArray()));
    }

    private void ReadGelu(NodeProto node)
    {
        string approximate = StringAttribute(node, "approximate", "none");
        var layer = approximate switch
        {
            "none" => new ActivationLayer("gelu"),
            "tanh" => new ActivationLayer("gelu", "tanh"),
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
        AddLayer(new ActivationLayer("gelu"), second.Node.Output[0], value.Shape);
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

        // Before 13, axes of size 1 between the axis and the last change nothing in the flattening.
        bool coercedToLast = _opset < 13 && normalized >= 0 && normalized < rank
            && Enumerable.Range((int)normalized, rank - 1 - (int)normalized).All(k => value.Shape[k] == 1);
        if (normalized != rank - 1 && !coercedToLast)
        {
            throw NodeError(node, $"axis {axis} of a rank-{rank} input is not the last axis; NetGen's {(node.OpType == "Softmax" ? "softmax" : "log_softmax")} runs over the features");
        }

        Elementwise(node, new ActivationLayer(node.OpType == "Softmax" ? "softmax" : "log_softmax"));
    }

    private bool IsScalar(string name, float expected) =>
        _constants.TryGetValue(name, out var c) && c.IsScalar && Math.Abs(c.Values[0] - expected) <= 1e-6f * Math.Abs(expected);

    private static string Other(NodeProto node, string input) =>
        node.Input.Count == 2 ? (node.Input[0] == input ? node.Input[1] : node.Input[0]) : string.Empty;
}
