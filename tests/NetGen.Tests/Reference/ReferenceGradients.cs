using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;

namespace NetGen.Tests.Reference;

/// <summary>
/// The backward pass of a netgen/1 description in float64, written from the derivatives of the
/// format's tables alone (no code shared with the runtime's kernels): per row, every parameter's
/// gradient under the training contract's names (<c>0.weight</c>, <c>3.1.bias</c>), summed over
/// the rows, and the input's gradient. <see cref="FiniteDifferenceTests"/> checks it against
/// central differences of <see cref="ReferenceNetwork"/>'s own evaluation.
/// </summary>
internal sealed class ReferenceGradients
{
    private readonly JsonElement _root;

    public ReferenceGradients(string json) => _root = JsonDocument.Parse(json).RootElement.Clone();

    /// <summary>The parameter tensors in the contract's order, with their values as the description gives them.</summary>
    public List<(string Name, double[] Values)> Parameters()
    {
        var result = new List<(string, double[])>();
        Collect(_root.GetProperty("layers"), null, result);
        return result;
    }

    /// <summary>
    /// The network on one row with <paramref name="parameters"/> overriding the description's
    /// values (by name), and the backward pass of <paramref name="outputGradient"/>: adds each
    /// parameter's gradient to <paramref name="gradients"/> and returns the input's.
    /// </summary>
    public double[] Backward(double[] input, double[] outputGradient, Dictionary<string, double[]> gradients, out double[] output, IReadOnlyDictionary<string, double[]>? parameters = null)
    {
        var tape = new List<Func<double[], double[]>>();
        var run = new Run(_root, input, new double[input.Length]);
        output = run.Sequence(_root.GetProperty("layers"), null, input, tape, gradients, parameters);
        double[] d = outputGradient;
        for (int i = tape.Count - 1; i >= 0; i--)
        {
            d = tape[i](d);
        }

        // What mask layers passed to the input directly, beside the chain.
        return d.Zip(run.InputGradient, (a, b) => a + b).ToArray();
    }

    private static void Collect(JsonElement layers, string? parent, List<(string, double[])> result)
    {
        int i = 0;
        foreach (JsonElement layer in layers.EnumerateArray())
        {
            string number = Number(parent, i++);
            foreach (string key in new[] { "running_mean", "running_var", "weight", "bias", "gate", "up", "down" })
            {
                if (key.StartsWith("running", StringComparison.Ordinal) || !layer.TryGetProperty(key, out var tensor))
                {
                    continue;
                }

                result.Add((number + "." + key, Flat(tensor)));
            }

            if (layer.GetProperty("op").GetString() == "residual")
            {
                Collect(layer.GetProperty("layers"), number, result);
            }
        }
    }

    private static double[] Flat(JsonElement tensor) =>
        (tensor.ValueKind == JsonValueKind.Object && tensor.GetProperty("shape").GetArrayLength() == 2)
        || (tensor.ValueKind == JsonValueKind.Array && tensor.GetArrayLength() > 0 && tensor[0].ValueKind == JsonValueKind.Array)
            ? ReferenceNetwork.Matrix(tensor).SelectMany(r => r).ToArray()
            : ReferenceNetwork.Vector(tensor);

    private static string Number(string? parent, int i) => (parent is null ? string.Empty : parent + ".") + i.ToString(CultureInfo.InvariantCulture);

    /// <summary>One row's pass: the network's input, which mask layers read, and what they pass back to it directly.</summary>
    private sealed class Run(JsonElement root, double[] input, double[] inputGradient)
    {
        public double[] InputGradient => inputGradient;

        public double[] Sequence(JsonElement layers, string? parent, double[] x, List<Func<double[], double[]>> tape, Dictionary<string, double[]> gradients, IReadOnlyDictionary<string, double[]>? overrides)
        {
            int i = 0;
            foreach (JsonElement layer in layers.EnumerateArray())
            {
                x = Layer(layer, Number(parent, i++), x, tape, gradients, overrides);
            }

            return x;
        }

        private double[] Layer(JsonElement layer, string number, double[] x, List<Func<double[], double[]>> tape, Dictionary<string, double[]> gradients, IReadOnlyDictionary<string, double[]>? overrides)
        {
            string op = layer.GetProperty("op").GetString()!;
            double[]? Tensor(string key) =>
                overrides is not null && overrides.TryGetValue(number + "." + key, out var v) ? v
                : layer.TryGetProperty(key, out var t) ? Flat(t) : null;
            double[] Grad(string key, int length)
            {
                string name = number + "." + key;
                if (!gradients.TryGetValue(name, out var g))
                {
                    gradients[name] = g = new double[length];
                }

                return g;
            }

            int n = x.Length;
            switch (op)
            {
                case "linear":
                {
                    double[] w = Tensor("weight")!;
                    double[]? b = Tensor("bias");
                    int m = layer.GetProperty("out").GetInt32();
                    var z = new double[m];
                    for (int o = 0; o < m; o++)
                    {
                        double sum = b?[o] ?? 0;
                        for (int j = 0; j < n; j++)
                        {
                            sum += w[(o * n) + j] * x[j];
                        }

                        z[o] = sum;
                    }

                    tape.Add(dz =>
                    {
                        double[] dw = Grad("weight", w.Length);
                        var dx = new double[n];
                        for (int o = 0; o < m; o++)
                        {
                            for (int j = 0; j < n; j++)
                            {
                                dw[(o * n) + j] += dz[o] * x[j];
                                dx[j] += dz[o] * w[(o * n) + j];
                            }
                        }

                        if (b is not null)
                        {
                            double[] db = Grad("bias", m);
                            for (int o = 0; o < m; o++)
                            {
                                db[o] += dz[o];
                            }
                        }

                        return dx;
                    });
                    return layer.TryGetProperty("activation", out var activation) ? Activation(activation.GetString()!, default, z, tape) : z;
                }

                case "slice":
                {
                    int start = layer.TryGetProperty("start", out var s) ? s.GetInt32() : 0;
                    int end = layer.TryGetProperty("end", out var e) ? e.GetInt32() : n;
                    tape.Add(dy =>
                    {
                        var dx = new double[n];
                        Array.Copy(dy, 0, dx, start, end - start);
                        return dx;
                    });
                    return x[start..end];
                }

                case "mask":
                {
                    // dx = dy m; the input's mask features get dy (x - fill).
                    int offset = ReferenceNetwork.MaskOffset(root, layer);
                    double fill = layer.TryGetProperty("fill", out var f) ? (float)f.GetDouble() : -1e8f;
                    double[] m = input[offset..(offset + n)];
                    double[] saved = x;
                    tape.Add(dy =>
                    {
                        for (int i = 0; i < n; i++)
                        {
                            inputGradient[offset + i] += dy[i] * (saved[i] - fill);
                        }

                        return dy.Select((v, i) => v * m[i]).ToArray();
                    });
                    return x.Select((v, i) => (v * m[i]) + (fill * (1 - m[i]))).ToArray();
                }

                case "argmax":
                {
                    // No gradient passes an argmax.
                    tape.Add(dy => new double[n]);
                    return ReferenceNetwork.ArgMax(layer, x);
                }

                case "affine":
                {
                    // Constants: no parameter gradient, dx = dy ⊙ scale.
                    double[] scale = ReferenceNetwork.AffineVector(layer, "scale", n, 1);
                    double[] shift = ReferenceNetwork.AffineVector(layer, "shift", n, 0);
                    tape.Add(dy => dy.Select((v, j) => v * scale[j]).ToArray());
                    return x.Select((v, j) => (v * scale[j]) + shift[j]).ToArray();
                }

                case "layer_norm":
                case "rms_norm":
                case "batch_norm":
                {
                    double eps = layer.TryGetProperty("eps", out var e) ? e.GetDouble() : op == "rms_norm" ? 1e-6 : 1e-5;
                    double[]? gamma = Tensor("weight");
                    double[]? beta = op == "rms_norm" ? null : Tensor("bias");
                    var y = new double[n];
                    var normalized = new double[n];
                    double[] inverse = new double[n];
                    if (op == "layer_norm")
                    {
                        double mean = x.Average();
                        double s = 1 / Math.Sqrt(x.Select(v => (v - mean) * (v - mean)).Average() + eps);
                        for (int j = 0; j < n; j++)
                        {
                            normalized[j] = (x[j] - mean) * s;
                            inverse[j] = s;
                        }
                    }
                    else if (op == "rms_norm")
                    {
                        double s = 1 / Math.Sqrt(x.Select(v => v * v).Average() + eps);
                        for (int j = 0; j < n; j++)
                        {
                            normalized[j] = x[j] * s;
                            inverse[j] = s;
                        }
                    }
                    else
                    {
                        double[] mean = ReferenceNetwork.Vector(layer.GetProperty("running_mean"));
                        double[] variance = ReferenceNetwork.Vector(layer.GetProperty("running_var"));
                        for (int j = 0; j < n; j++)
                        {
                            inverse[j] = 1 / Math.Sqrt(variance[j] + eps);
                            normalized[j] = (x[j] - mean[j]) * inverse[j];
                        }
                    }

                    for (int j = 0; j < n; j++)
                    {
                        y[j] = (normalized[j] * (gamma?[j] ?? 1)) + (beta?[j] ?? 0);
                    }

                    tape.Add(dy =>
                    {
                        var g = dy.Select((v, j) => v * (gamma?[j] ?? 1)).ToArray();
                        if (gamma is not null)
                        {
                            double[] dgamma = Grad("weight", n);
                            for (int j = 0; j < n; j++)
                            {
                                dgamma[j] += dy[j] * normalized[j];
                            }
                        }

                        if (beta is not null)
                        {
                            double[] dbeta = Grad("bias", n);
                            for (int j = 0; j < n; j++)
                            {
                                dbeta[j] += dy[j];
                            }
                        }

                        // d/dx of each normalization, from its definition.
                        var dx = new double[n];
                        if (op == "batch_norm")
                        {
                            for (int j = 0; j < n; j++)
                            {
                                dx[j] = g[j] * inverse[j];
                            }

                            return dx;
                        }

                        double s = inverse[0];
                        double meanG = op == "layer_norm" ? g.Average() : 0;
                        double meanGx = g.Select((v, j) => v * normalized[j]).Average();
                        for (int j = 0; j < n; j++)
                        {
                            dx[j] = s * (g[j] - meanG - (normalized[j] * meanGx));
                        }

                        return dx;
                    });
                    return y;
                }

                case "residual":
                {
                    var inner = new List<Func<double[], double[]>>();
                    double[] f = Sequence(layer.GetProperty("layers"), number, x, inner, gradients, overrides);
                    tape.Add(dy =>
                    {
                        double[] d = dy;
                        for (int i = inner.Count - 1; i >= 0; i--)
                        {
                            d = inner[i](d);
                        }

                        return d.Zip(dy, (a, b) => a + b).ToArray();
                    });
                    return x.Zip(f, (a, b) => a + b).ToArray();
                }

                case "swiglu":
                {
                    double[] gate = Tensor("gate")!, up = Tensor("up")!, down = Tensor("down")!;
                    int hidden = layer.GetProperty("hidden").GetInt32();
                    int m = down.Length / hidden;
                    double[] g = Enumerable.Range(0, hidden).Select(o => Enumerable.Range(0, n).Sum(j => gate[(o * n) + j] * x[j])).ToArray();
                    double[] u = Enumerable.Range(0, hidden).Select(o => Enumerable.Range(0, n).Sum(j => up[(o * n) + j] * x[j])).ToArray();
                    double[] s = g.Select(ReferenceNetwork.Sigmoid).ToArray();
                    double[] h = g.Select((v, i) => v * s[i] * u[i]).ToArray();
                    double[] y = Enumerable.Range(0, m).Select(o => Enumerable.Range(0, hidden).Sum(j => down[(o * hidden) + j] * h[j])).ToArray();
                    tape.Add(dy =>
                    {
                        double[] ddown = Grad("down", down.Length), dgate = Grad("gate", gate.Length), dup = Grad("up", up.Length);
                        var dh = new double[hidden];
                        for (int o = 0; o < m; o++)
                        {
                            for (int j = 0; j < hidden; j++)
                            {
                                ddown[(o * hidden) + j] += dy[o] * h[j];
                                dh[j] += dy[o] * down[(o * hidden) + j];
                            }
                        }

                        var dx = new double[n];
                        for (int o = 0; o < hidden; o++)
                        {
                            double dg = dh[o] * u[o] * s[o] * (1 + (g[o] * (1 - s[o])));
                            double du = dh[o] * g[o] * s[o];
                            for (int j = 0; j < n; j++)
                            {
                                dgate[(o * n) + j] += dg * x[j];
                                dup[(o * n) + j] += du * x[j];
                                dx[j] += (dg * gate[(o * n) + j]) + (du * up[(o * n) + j]);
                            }
                        }

                        return dx;
                    });
                    return y;
                }

                default:
                    return Activation(op, layer, x, tape);
            }
        }
    }

    private static double[] Activation(string op, JsonElement layer, double[] x, List<Func<double[], double[]>> tape)
    {
        double[] y = ReferenceNetwork.Activation(op, layer, x);
        bool tanh = layer.ValueKind == JsonValueKind.Object && layer.TryGetProperty("approximate", out var ap) && ap.GetString() == "tanh";
        double alpha = layer.ValueKind == JsonValueKind.Object && layer.TryGetProperty("alpha", out var a) ? (float)a.GetDouble() : 0.01f;
        tape.Add(dy =>
        {
            switch (op)
            {
                case "relu":
                    return dy.Select((d, i) => x[i] > 0 ? d : 0).ToArray();
                case "leaky_relu":
                    return dy.Select((d, i) => x[i] > 0 ? d : alpha * d).ToArray();
                case "gelu" when tanh:
                {
                    const double c = 0.79788456080286535588, k = 0.044715;
                    return dy.Select((d, i) =>
                    {
                        double v = x[i], t = Math.Tanh(c * (v + (k * v * v * v)));
                        return d * ((0.5 * (1 + t)) + (0.5 * v * (1 - (t * t)) * c * (1 + (3 * k * v * v))));
                    }).ToArray();
                }

                case "gelu":
                    return dy.Select((d, i) => d * ((0.5 * ReferenceNetwork.Erfc(-x[i] / Math.Sqrt(2))) + (x[i] * Math.Exp(-x[i] * x[i] / 2) / Math.Sqrt(2 * Math.PI)))).ToArray();
                case "silu":
                case "swish":
                    return dy.Select((d, i) =>
                    {
                        double s = ReferenceNetwork.Sigmoid(x[i]);
                        return d * (s + (x[i] * s * (1 - s)));
                    }).ToArray();
                case "sigmoid":
                    return dy.Select((d, i) => d * y[i] * (1 - y[i])).ToArray();
                case "tanh":
                    return dy.Select((d, i) => d * (1 - (y[i] * y[i]))).ToArray();
                case "softmax":
                {
                    double dot = dy.Select((d, i) => d * y[i]).Sum();
                    return dy.Select((d, i) => y[i] * (d - dot)).ToArray();
                }

                case "log_softmax":
                {
                    double sum = dy.Sum();
                    return dy.Select((d, i) => d - (Math.Exp(y[i]) * sum)).ToArray();
                }

                case "elu":
                {
                    double a = ReferenceNetwork.Parameter(layer, "alpha", 1f);
                    return dy.Select((d, i) => x[i] > 0 ? d : d * a * Math.Exp(x[i])).ToArray();
                }

                case "selu":
                    return dy.Select((d, i) => ReferenceNetwork.SeluScale * (x[i] > 0 ? d : d * ReferenceNetwork.SeluAlpha * Math.Exp(x[i]))).ToArray();
                case "softplus":
                {
                    double beta = ReferenceNetwork.Parameter(layer, "beta", 1f), threshold = ReferenceNetwork.Parameter(layer, "threshold", 20f);
                    return dy.Select((d, i) => beta * x[i] > threshold ? d : d * ReferenceNetwork.Sigmoid(beta * x[i])).ToArray();
                }

                case "mish":
                    return dy.Select((d, i) =>
                    {
                        double v = x[i], t = Math.Tanh(v > 20 ? v : ReferenceNetwork.Softplus(v));
                        return d * (t + (v * ReferenceNetwork.Sigmoid(v) * (1 - (t * t))));
                    }).ToArray();
                case "hard_sigmoid":
                {
                    double a = ReferenceNetwork.Parameter(layer, "alpha", 1f / 6f), b = ReferenceNetwork.Parameter(layer, "beta", 0.5f);
                    return dy.Select((d, i) => (a * x[i]) + b is > 0 and < 1 ? a * d : 0).ToArray();
                }

                case "hard_swish":
                    return dy.Select((d, i) => x[i] < -3 ? 0 : x[i] <= 3 ? d * ((x[i] / 3) + 0.5) : d).ToArray();
                case "clip":
                {
                    double lo = ReferenceNetwork.Parameter(layer, "min", float.NegativeInfinity), hi = ReferenceNetwork.Parameter(layer, "max", float.PositiveInfinity);
                    return dy.Select((d, i) => x[i] >= lo && x[i] <= hi ? d : 0).ToArray();
                }

                default:
                    return (double[])dy.Clone();
            }
        });
        return y;
    }
}
