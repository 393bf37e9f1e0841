using System;
using System.Linq;
using System.Text.Json.Nodes;

namespace NetGen.Tests.Harness;

/// <summary>
/// Random netgen/1 descriptions of every op and their combinations: sizes 1 to 300, weights at
/// PyTorch's default initialization (uniform in ±1/√fan_in) or up to 3 in magnitude, tensors
/// written as nested arrays or base64, nested residual blocks, optional names and keys. The
/// networks take the code generation strategies in turn (auto, unrolled, kernel, vectorized), so every
/// strategy meets every op.
/// </summary>
/// <remarks>
/// Weights up to 3 go to networks whose only weighted layer is one linear layer, among norms
/// and activations; swiglu blocks always take the default initialization. Stacked, large-weight
/// products grow values by about 3·√n each (swiglu's gating squares them), and the float32
/// rounding of those intermediates, amplified by the next product, exceeds the format's bound
/// whatever the evaluation order: measured here, double accumulation in every dot product did
/// not help, and PyTorch's float32 evaluation, which stores the same intermediates, would miss
/// it the same way. For the same reason a batch norm in a large-weight network keeps its gain
/// γ/√var under about 2: with a variance down to 0.1 its outputs reach ±19, and a 198-wide
/// product with weights up to 3 then sums terms of about 244 in magnitude to a result near 0;
/// PyTorch's float32 evaluation of that network misses the bound too (1.1e-5 over 2,000 inputs).
/// </remarks>
internal sealed class RandomNetworks(int seed)
{
    private static readonly string[] Activations =
        {
            "identity", "dropout", "relu", "leaky_relu", "gelu", "silu", "swish", "sigmoid", "tanh", "softmax", "log_softmax",
            "elu", "selu", "softplus", "mish", "hard_sigmoid", "hard_swish", "clip",
        };

    private static readonly string[] Strategies = { "auto", "unrolled", "kernel", "vectorized" };

    private readonly Random _random = new(seed);
    private int _networks;
    private bool _largeWeights;
    private int _weightedLayers;
    private int _names;
    private int _inputSize;

    /// <summary>A description and the size of its input.</summary>
    public (string Json, int InputSize) Next()
    {
        _largeWeights = _random.Next(4) == 0;
        _weightedLayers = 0;
        int input = Size();
        _inputSize = input;
        int size = input;
        var layers = new JsonArray();
        int count = _largeWeights ? _random.Next(1, 4) : _random.Next(1, 7);
        for (int i = 0; i < count; i++)
        {
            layers.Add(Layer(ref size, depth: 0, keepSize: false));
        }

        var network = new JsonObject
        {
            ["format"] = "netgen/1",
            ["strategy"] = Strategies[_networks++ % Strategies.Length],
            ["input"] = input,
            ["layers"] = layers,
        };
        return (network.ToJsonString(), input);
    }

    public float[] Input(int size) => Enumerable.Range(0, size).Select(_ => Uniform(3)).ToArray();

    /// <summary>Mostly small sizes, so that a compilation of many networks stays quick, with a tail to 300.</summary>
    private int Size() => _random.Next(10) switch
    {
        < 6 => _random.Next(1, 17),
        < 9 => _random.Next(17, 65),
        _ => _random.Next(65, 301),
    };

    private JsonObject Layer(ref int size, int depth, bool keepSize)
    {
        int n = size;
        int choice = _random.Next(depth < 2 ? 10 : 9);
        if (_largeWeights && choice is < 3 or 8 or 9)
        {
            // Exactly one weighted layer, a linear one, per large-weight network (see the remarks).
            choice = _weightedLayers == 0 ? 0 : 3 + _random.Next(5);
        }

        if (choice < 3)
        {
            _weightedLayers++;
        }

        JsonObject layer;
        switch (choice)
        {
            case 0:
            case 1:
            case 2:
            {
                int outSize = keepSize ? n : Size();
                layer = new JsonObject { ["op"] = "linear", ["out"] = outSize, ["weight"] = Tensor(outSize, n, Scale(n)) };
                if (_random.Next(10) < 7)
                {
                    layer["bias"] = Tensor(outSize, Scale(n));
                }

                if (_random.Next(2) == 0)
                {
                    layer["activation"] = Activations[_random.Next(Activations.Length)];
                }

                size = outSize;
                break;
            }

            case 3:
            case 4:
                layer = Activation(Activations[_random.Next(Activations.Length)]);
                break;
            case 5:
                layer = new JsonObject { ["op"] = "layer_norm" };
                if (_random.Next(3) > 0)
                {
                    layer["weight"] = Tensor(n, 0.5f, 1.5f);
                    layer["bias"] = Tensor(n, 0.5f);
                }

                Epsilon(layer);
                break;
            case 6:
                layer = new JsonObject { ["op"] = "rms_norm" };
                if (_random.Next(3) > 0)
                {
                    layer["weight"] = Tensor(n, 0.5f, 1.5f);
                }

                Epsilon(layer);
                break;
            case 7 when !_largeWeights && n <= _inputSize && _random.Next(5) == 0:
            {
                // mask: n features of the network's input from a start, with a fill in [-2, 2]
                // (the inputs are not 0s and 1s here, so the fill enters every value).
                layer = new JsonObject { ["op"] = "mask", ["start"] = _random.Next(_inputSize - n + 1), ["fill"] = Uniform(2) };
                break;
            }

            case 7 when !keepSize && n > 1 && _random.Next(4) == 0:
            {
                // slice: a run of the features, "end" written or left to the input's size.
                int start = _random.Next(n - 1);
                int end = _random.Next(start + 1, n + 1);
                layer = new JsonObject { ["op"] = "slice", ["start"] = start };
                if (end < n || _random.Next(2) == 0)
                {
                    layer["end"] = end;
                }

                size = end - start;
                break;
            }

            case 7 when _random.Next(3) == 0:
            {
                // affine: scale and shift each a number, a vector or absent (not both absent).
                layer = new JsonObject { ["op"] = "affine" };
                int form = _random.Next(8);
                if (form % 3 != 2)
                {
                    layer["scale"] = form % 3 == 0 ? (JsonNode)Uniform(2) : Tensor(n, 2f);
                }

                if (form % 3 != 1 || form == 7)
                {
                    layer["shift"] = form < 4 ? (JsonNode)Uniform(1) : Tensor(n, 1f);
                }

                break;
            }

            case 7:
                layer = new JsonObject
                {
                    ["op"] = "batch_norm",
                    ["running_mean"] = Tensor(n, 1f),
                    // Beside weights up to 3 the gain γ/√var stays under about 2 (see the remarks).
                    ["running_var"] = Tensor(n, _largeWeights ? 0.5f : 0.1f, 2f),
                };
                if (_random.Next(3) > 0)
                {
                    layer["weight"] = Tensor(n, 0.5f, 1.5f);
                    layer["bias"] = Tensor(n, 0.5f);
                }

                Epsilon(layer);
                break;
            case 8:
            {
                int hidden = Size();
                int outSize = keepSize ? n : _random.Next(2) == 0 ? n : Size();
                layer = new JsonObject
                {
                    ["op"] = "swiglu",
                    ["hidden"] = hidden,
                    ["gate"] = Tensor(hidden, n, DefaultScale(n)),
                    ["up"] = Tensor(hidden, n, DefaultScale(n)),
                    ["down"] = Tensor(outSize, hidden, DefaultScale(hidden)),
                };
                if (outSize != n || _random.Next(2) == 0)
                {
                    layer["out"] = outSize;
                }

                size = outSize;
                break;
            }

            default:
            {
                var inner = new JsonArray();
                int innerSize = n;
                int count = _random.Next(1, 4);
                for (int i = 0; i < count; i++)
                {
                    inner.Add(Layer(ref innerSize, depth + 1, keepSize: true));
                }

                layer = new JsonObject { ["op"] = "residual", ["layers"] = inner };
                break;
            }
        }

        if (_random.Next(5) == 0)
        {
            layer["name"] = "layer" + (++_names);
        }

        return layer;
    }

    private JsonObject Activation(string op)
    {
        var layer = new JsonObject { ["op"] = op };
        if (op == "leaky_relu" && _random.Next(2) == 0)
        {
            layer["alpha"] = 0.2;
        }
        else if (op == "gelu" && _random.Next(3) > 0)
        {
            layer["approximate"] = _random.Next(2) == 0 ? "none" : "tanh";
        }
        else if (op == "dropout" && _random.Next(2) == 0)
        {
            layer["p"] = 0.5;
        }
        else if (op == "elu" && _random.Next(2) == 0)
        {
            layer["alpha"] = 0.5;
        }
        else if (op == "softplus" && _random.Next(2) == 0)
        {
            layer["beta"] = 2;
            layer["threshold"] = 1.5;
        }
        else if (op == "hard_sigmoid" && _random.Next(2) == 0)
        {
            layer["alpha"] = 0.2;
            layer["beta"] = 0.5;
        }
        else if (op == "clip")
        {
            // Bounds inside the values layers produce, so that both sides clip; either may be absent.
            switch (_random.Next(3))
            {
                case 0: layer["min"] = -0.25; layer["max"] = 0.5; break;
                case 1: layer["max"] = 0.3; break;
                default: layer["min"] = -0.1; break;
            }
        }

        return layer;
    }

    private void Epsilon(JsonObject layer)
    {
        if (_random.Next(2) == 0)
        {
            layer["eps"] = 1e-3;
        }
    }

    private float Scale(int fanIn) => _largeWeights ? 3f : DefaultScale(fanIn);

    /// <summary>PyTorch's default initialization bound for a layer with this fan-in.</summary>
    private static float DefaultScale(int fanIn) => 1f / MathF.Sqrt(fanIn);

    private float Uniform(float scale) => (float)(((_random.NextDouble() * 2) - 1) * scale);

    private JsonNode Tensor(int length, float scale) => Encode(new[] { length }, Enumerable.Range(0, length).Select(_ => Uniform(scale)).ToArray());

    private JsonNode Tensor(int length, float min, float max) =>
        Encode(new[] { length }, Enumerable.Range(0, length).Select(_ => (float)(min + (_random.NextDouble() * (max - min)))).ToArray());

    private JsonNode Tensor(int rows, int columns, float scale) =>
        Encode(new[] { rows, columns }, Enumerable.Range(0, rows * columns).Select(_ => Uniform(scale)).ToArray());

    private JsonNode Encode(int[] shape, float[] values)
    {
        if (_random.Next(10) < 3)
        {
            return JsonTensors.Base64(shape, values);
        }

        if (shape.Length == 1)
        {
            return new JsonArray(values.Select(v => (JsonNode)v).ToArray());
        }

        return new JsonArray(Enumerable.Range(0, shape[0])
            .Select(r => (JsonNode)new JsonArray(values.Skip(r * shape[1]).Take(shape[1]).Select(v => (JsonNode)v).ToArray()))
            .ToArray());
    }
}
