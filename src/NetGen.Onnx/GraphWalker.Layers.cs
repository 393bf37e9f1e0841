using System.Linq;
using NetGen.Onnx.Proto;

namespace NetGen.Onnx;

/// <summary>Linear patterns (Gemm, MatMul with an optional Add of a bias, Add closing a skip connection) and the norms, with the constants they read.</summary>
internal sealed partial class GraphWalker
{
    private void ReadGemm(NodeProto node)
    {
        var a = LatestOrBranch(node, node.Input[0]);
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

        TensorValue? bias = null;
        if (InputName(node, 2) is { } cName)
        {
            var c = ConstantInput(node, cName, "C (the bias)");
            bias = new TensorValue(new[] { (int)n }, Bias(node, c, n, beta));
        }

        AddLayer(new LinearLayer(checked((int)n), new TensorValue(new[] { (int)n, (int)k }, weight), bias), node.Output[0], new[] { a.Shape[0], n });
    }

    private void ReadMatMul(NodeProto node)
    {
        if (_constants.ContainsKey(node.Input[0]))
        {
            throw NodeError(node, "its first input is a constant; NetGen reads x·W with the weight W second");
        }

        var a = LatestOrBranch(node, node.Input[0]);
        var b = WeightMatrix(node, 1);
        long k = b.Shape[0];
        long n = b.Shape[1];
        RequireFeatures(node, a, k, b);
        var weight = new TensorValue(new[] { (int)n, (int)k }, Transposed(b, transposed: false, 1f));
        TensorValue? biasValue = null;

        // PyTorch writes a linear layer on a batch of rank > 2 as MatMul then Add of the bias.
        string output = node.Output[0];
        if (SingleConsumer(output) is { } next && next.Node.OpType == "Add" && next.Node.Input.Count == 2)
        {
            string other = next.Node.Input[0] == output ? next.Node.Input[1] : next.Node.Input[0];
            if (_constants.TryGetValue(other, out var bias) && IsBroadcastVector(bias, n))
            {
                biasValue = new TensorValue(new[] { (int)n }, Bias(next.Node, bias, n, 1f));
                _done[next.Index] = true;
                output = next.Node.Output[0];
            }
        }

        AddLayer(new LinearLayer(checked((int)n), weight, biasValue), output, a.Shape.Take(a.Shape.Length - 1).Append(n).ToArray());
    }

    private void ReadAdd(NodeProto node)
    {
        string left = node.Input[0];
        string right = node.Input[1];
        var a = Get(node, left);
        var b = Get(node, right);
        if (a.Segment is not null || b.Segment is not null)
        {
            throw NodeError(node, $"it adds tensors of the input '{a.Segment ?? b.Segment}' before the inputs are joined by a Concat; NetGen reads only element-wise steps there");
        }

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

        AddLayer(new ResidualLayer(inner), node.Output[0], late.Shape);
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
        float eps = FloatAttribute(node, "epsilon", 1e-5f);
        var scale = Vector(node, ConstantInput(node, node.Input[1], "Scale"), n, "Scale");
        TensorValue? bias = InputName(node, 2) is { } b ? Vector(node, ConstantInput(node, b, "B"), n, "B") : null;
        AddLayer(new LayerNormLayer(eps, scale, bias), node.Output[0], value.Shape);
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
        float eps = FloatAttribute(node, "epsilon", 1e-5f);
        var mean = Vector(node, ConstantInput(node, node.Input[3], "input_mean"), n, "input_mean");
        var variance = Vector(node, ConstantInput(node, node.Input[4], "input_var"), n, "input_var");
        var scale = Vector(node, ConstantInput(node, node.Input[1], "scale"), n, "scale");
        var bias = Vector(node, ConstantInput(node, node.Input[2], "B"), n, "B");
        AddLayer(new BatchNormLayer(eps, mean, variance, scale, bias), node.Output[0], value.Shape);
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
}
