using System;
using System.Linq;
using NetGen.Onnx.Proto;

namespace NetGen.Tests.Onnx;

/// <summary>
/// Random ONNX models of every op and pattern the importer reads, written as exporters write
/// them: Gemm (transB, alpha, beta, scalar or vector bias), MatMul with and without a following
/// Add, the element-wise activations, Gelu (opset 20) and the Erf pattern, SiLU as
/// Mul(x, Sigmoid(x)), LayerNormalization, BatchNormalization, Identity, Dropout, Flatten,
/// softmax and log-softmax, and residual blocks (nested). Weights at PyTorch's default
/// initialization, sizes 1 to 40, batch axis dynamic.
/// </summary>
internal sealed class RandomOnnxNetworks(int seed)
{
    private readonly Random _random = new(seed);
    private OnnxGraph _graph = null!;
    private bool _usesGelu;

    public (ModelProto Model, int InputSize) Next()
    {
        _usesGelu = _random.Next(2) == 0;
        int input = (int)Size();
        _graph = new OnnxGraph(_usesGelu ? 20 : 17, 0, input);
        string x = _graph.Input;
        int size = input;
        int count = _random.Next(1, 7);
        for (int i = 0; i < count; i++)
        {
            x = Layer(x, ref size, depth: 0, keepSize: false);
        }

        return (_graph.Build(x, 0, size), input);
    }

    public float[] Input(int count) => Enumerable.Range(0, count).Select(_ => (float)((_random.NextDouble() * 6) - 3)).ToArray();

    private string Layer(string x, ref int size, int depth, bool keepSize)
    {
        int choice = _random.Next(depth < 2 ? 17 : 16);
        switch (choice)
        {
            case 0:
            {
                int n = keepSize ? size : (int)Size();
                bool transB = _random.Next(2) == 0;
                float alpha = _random.Next(3) == 0 ? 0.5f : 1f;
                float beta = _random.Next(3) == 0 ? 2f : 1f;
                string w = _graph.Initializer(Default(n * size, size), transB ? new long[] { n, size } : new long[] { size, n });
                var inputs = _random.Next(4) switch
                {
                    0 => new[] { x, w },
                    1 => new[] { x, w, _graph.Initializer(Default(1, size)) },
                    _ => new[] { x, w, _graph.Initializer(Default(n, size), n) },
                };
                size = n;
                return _graph.Node("Gemm", inputs, OnnxGraph.Int("transB", transB ? 1 : 0), OnnxGraph.Float("alpha", alpha), OnnxGraph.Float("beta", beta));
            }

            case 1:
            {
                int n = keepSize ? size : (int)Size();
                string y = _graph.Node("MatMul", new[] { x, _graph.Initializer(Default(n * size, size), size, n) });
                if (_random.Next(3) > 0)
                {
                    string b = _graph.Initializer(Default(n, size), n);
                    y = _random.Next(2) == 0 ? _graph.Node("Add", new[] { y, b }) : _graph.Node("Add", new[] { b, y });
                }

                size = n;
                return y;
            }

            case 2: return _graph.Node("Relu", new[] { x });
            case 3: return _graph.Node("LeakyRelu", new[] { x }, OnnxGraph.Float("alpha", _random.Next(2) == 0 ? 0.01f : 0.2f));
            case 4: return _graph.Node("Sigmoid", new[] { x });
            case 5: return _graph.Node("Tanh", new[] { x });
            case 6:
                return _usesGelu
                    ? _graph.Node("Gelu", new[] { x }, OnnxGraph.String("approximate", _random.Next(2) == 0 ? "none" : "tanh"))
                    : ErfGelu(x);
            case 7: return _graph.Node("Mul", new[] { x, _graph.Node("Sigmoid", new[] { x }) });
            case 8:
            {
                var attributes = _random.Next(2) == 0 ? new[] { OnnxGraph.Int("axis", -1) } : new[] { OnnxGraph.Int("axis", 1), OnnxGraph.Float("epsilon", 1e-3f) };
                var inputs = _random.Next(2) == 0
                    ? new[] { x, _graph.Initializer(Around(size, 1f, 0.5f), size) }
                    : new[] { x, _graph.Initializer(Around(size, 1f, 0.5f), size), _graph.Initializer(Default(size, 1), size) };
                return _graph.Node("LayerNormalization", inputs, attributes);
            }

            case 9:
            {
                string scale = _graph.Initializer(Around(size, 1f, 0.5f), size);
                string bias = _graph.Initializer(Default(size, 1), size);
                string mean = _graph.Initializer(Default(size, 1), size);
                string variance = _graph.Initializer(Around(size, 1f, 0.75f), size);
                return _graph.Node("BatchNormalization", new[] { x, scale, bias, mean, variance }, OnnxGraph.Float("epsilon", 1e-5f));
            }

            case 10: return _graph.Node("Identity", new[] { x });
            case 11: return _graph.Node("Dropout", new[] { x, _graph.Initializer(new[] { 0.25f }) }, 2);
            case 12: return _graph.Node("Flatten", new[] { x }, OnnxGraph.Int("axis", 1));
            case 13: return _graph.Node("Softmax", new[] { x }, OnnxGraph.Int("axis", -1));
            case 14: return _graph.Node("LogSoftmax", new[] { x });
            case 15: return _graph.Node("Relu", new[] { x });
            default:
            {
                // A residual block: y = x + f(x), f keeping the size.
                string f = x;
                int inner = size;
                int count = _random.Next(1, 4);
                for (int i = 0; i < count; i++)
                {
                    f = Layer(f, ref inner, depth + 1, keepSize: true);
                }

                if (f == x)
                {
                    f = _graph.Node("Tanh", new[] { x });
                }

                return _random.Next(2) == 0 ? _graph.Node("Add", new[] { x, f }) : _graph.Node("Add", new[] { f, x });
            }
        }
    }

    /// <summary>The exact GELU as PyTorch exports it before opset 20.</summary>
    private string ErfGelu(string x)
    {
        string scaled = _graph.Node("Div", new[] { x, _graph.Initializer(new[] { 1.4142135f }) });
        string erf = _graph.Node("Erf", new[] { scaled });
        string plusOne = _graph.Node("Add", new[] { erf, _graph.Initializer(new[] { 1f }) });
        string product = _graph.Node("Mul", new[] { x, plusOne });
        return _graph.Node("Mul", new[] { product, _graph.Initializer(new[] { 0.5f }) });
    }

    private long Size() => _random.Next(4) == 0 ? _random.Next(1, 4) : _random.Next(4, 41);

    /// <summary>Uniform in ±1/√fan_in, PyTorch's default initialization.</summary>
    private float[] Default(int count, int fanIn) => Around(count, 0f, (float)(1 / Math.Sqrt(fanIn)));

    /// <summary>Uniform in center ± range.</summary>
    private float[] Around(int count, float center, float range) =>
        Enumerable.Range(0, count).Select(_ => (float)(center + ((_random.NextDouble() * 2) - 1) * range)).ToArray();
}
