using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;

namespace NetGen.Tests.Reference;

/// <summary>
/// A float64 evaluator of netgen/1 descriptions, written from the format's tables alone and
/// sharing no code with the generator (it parses with System.Text.Json). It also names every
/// tensor by the Cache naming rule of the README, so tests can compare each Cache field.
/// </summary>
internal sealed class ReferenceNetwork
{
    private readonly JsonElement _root;

    public ReferenceNetwork(string json)
    {
        _root = JsonDocument.Parse(json).RootElement.Clone();
        InputSize = _root.GetProperty("input").GetInt32();
    }

    public int InputSize { get; }

    /// <summary>Evaluates one sample; <paramref name="tensors"/> receives every named tensor in order.</summary>
    public double[] Evaluate(ReadOnlySpan<float> input, List<(string Name, double[] Values)> tensors)
    {
        double[] x = input.ToArray().Select(v => (double)v).ToArray();
        return new ReferenceNetwork(_root, x).Sequence(_root.GetProperty("layers"), x, null, tensors);
    }

    /// <summary>One evaluation: the network's input is what a mask layer reads.</summary>
    private ReferenceNetwork(JsonElement root, double[] input)
    {
        _root = root;
        InputSize = input.Length;
        _input = input;
    }

    private readonly double[] _input = Array.Empty<double>();

    /// <summary>An argmax layer: in each group, the index of the first largest value (a NaN the largest), or with "last" the last.</summary>
    internal static double[] ArgMax(JsonElement layer, double[] x)
    {
        int[] groups = layer.TryGetProperty("groups", out var g) ? g.EnumerateArray().Select(e => e.GetInt32()).ToArray() : new[] { x.Length };
        bool last = layer.TryGetProperty("last", out var l) && l.GetBoolean();
        var y = new double[groups.Length];
        int start = 0;
        for (int k = 0; k < groups.Length; k++)
        {
            // The first largest in reading order, read from the end for the last.
            int step = last ? -1 : 1, end = start + groups[k];
            int best = last ? end - 1 : start;
            for (int i = best; i >= start && i < end && !double.IsNaN(x[best]); i += step)
            {
                best = x[i] > x[best] || double.IsNaN(x[i]) ? i : best;
            }

            y[k] = best - start;
            start += groups[k];
        }

        return y;
    }

    /// <summary>Where a mask layer's m starts in the network's input: its "start", within its "input" part if it names one.</summary>
    internal static int MaskOffset(JsonElement root, JsonElement layer)
    {
        int start = layer.TryGetProperty("start", out var s) ? s.GetInt32() : 0;
        if (!layer.TryGetProperty("input", out var part))
        {
            return start;
        }

        int offset = 0;
        foreach (var p in root.GetProperty("inputs").EnumerateArray())
        {
            if (p.GetProperty("name").GetString() == part.GetString())
            {
                return offset + start;
            }

            offset += p.GetProperty("size").GetInt32();
        }

        throw new ArgumentException("No input part " + part.GetString());
    }

    private double[] Sequence(JsonElement layers, double[] x, string? parentStage, List<(string, double[])> tensors)
    {
        int stage = 0, activations = 0;
        foreach (JsonElement layer in layers.EnumerateArray())
        {
            string op = layer.GetProperty("op").GetString()!;
            bool isActivation = IsActivation(op);
            if (!isActivation || stage == 0)
            {
                stage++;
                activations = op == "linear" && layer.TryGetProperty("activation", out _) ? 1 : 0;
            }

            string label = (parentStage is null ? "" : parentStage + "_") + stage.ToString(CultureInfo.InvariantCulture);
            if (isActivation)
            {
                activations++;
                label += activations == 1 ? "" : ((char)('a' + activations - 1)).ToString();
            }

            string? name = layer.TryGetProperty("name", out var n) ? n.GetString() : null;
            x = Layer(layer, op, x, label, name, tensors);
        }

        return x;
    }

    /// <summary>An affine layer's scale or shift over <paramref name="n"/> features: a number or a vector of one is every feature's.</summary>
    internal static double[] AffineVector(JsonElement layer, string key, int n, double absent)
    {
        if (!layer.TryGetProperty(key, out var value))
        {
            return Enumerable.Repeat(absent, n).ToArray();
        }

        double[] values = value.ValueKind == JsonValueKind.Number ? new[] { value.GetDouble() } : Vector(value);
        return values.Length == 1 ? Enumerable.Repeat(values[0], n).ToArray() : values;
    }

    private double[] Layer(JsonElement layer, string op, double[] x, string label, string? name, List<(string, double[])> tensors)
    {
        switch (op)
        {
            case "linear":
            {
                double[][] w = Matrix(layer.GetProperty("weight"));
                double[]? b = layer.TryGetProperty("bias", out var bias) ? Vector(bias) : null;
                var z = new double[w.Length];
                for (int i = 0; i < w.Length; i++)
                {
                    double sum = b?[i] ?? 0;
                    for (int j = 0; j < x.Length; j++)
                    {
                        sum += w[i][j] * x[j];
                    }

                    z[i] = sum;
                }

                if (layer.TryGetProperty("activation", out var activation))
                {
                    tensors.Add((name is null ? "Z" + label : name + "_z", z));
                    double[] a = Activation(activation.GetString()!, default, z);
                    tensors.Add((name ?? "A" + label, a));
                    return a;
                }

                tensors.Add((name ?? "Z" + label, z));
                return z;
            }

            case "slice":
            {
                int start = layer.TryGetProperty("start", out var s) ? s.GetInt32() : 0;
                int end = layer.TryGetProperty("end", out var e) ? e.GetInt32() : x.Length;
                var y = x[start..end];
                tensors.Add((name ?? "P" + label, y));
                return y;
            }

            case "mask":
            {
                // y = x m + fill (1 - m), m from the network's input.
                int offset = MaskOffset(_root, layer);
                double fill = layer.TryGetProperty("fill", out var f) ? (float)f.GetDouble() : -1e8f;
                var y = x.Select((v, i) => (v * _input[offset + i]) + (fill * (1 - _input[offset + i]))).ToArray();
                tensors.Add((name ?? "M" + label, y));
                return y;
            }

            case "argmax":
            {
                var y = ArgMax(layer, x);
                tensors.Add((name ?? "I" + label, y));
                return y;
            }

            case "affine":
            {
                double[] scale = AffineVector(layer, "scale", x.Length, 1);
                double[] shift = AffineVector(layer, "shift", x.Length, 0);
                var y = x.Select((v, i) => (v * scale[i]) + shift[i]).ToArray();
                tensors.Add((name ?? "N" + label, y));
                return y;
            }

            case "layer_norm":
            case "rms_norm":
            case "batch_norm":
            {
                double eps = layer.TryGetProperty("eps", out var e) ? e.GetDouble() : op == "rms_norm" ? 1e-6 : 1e-5;
                double[]? weight = layer.TryGetProperty("weight", out var wt) ? Vector(wt) : null;
                double[]? bias = layer.TryGetProperty("bias", out var bs) ? Vector(bs) : null;
                var y = new double[x.Length];
                if (op == "layer_norm")
                {
                    double mean = x.Average();
                    double variance = x.Select(v => (v - mean) * (v - mean)).Average();
                    for (int i = 0; i < x.Length; i++)
                    {
                        y[i] = ((x[i] - mean) / Math.Sqrt(variance + eps) * (weight?[i] ?? 1)) + (bias?[i] ?? 0);
                    }
                }
                else if (op == "rms_norm")
                {
                    double rms = Math.Sqrt(x.Select(v => v * v).Average() + eps);
                    for (int i = 0; i < x.Length; i++)
                    {
                        y[i] = x[i] / rms * (weight?[i] ?? 1);
                    }
                }
                else
                {
                    double[] mean = Vector(layer.GetProperty("running_mean"));
                    double[] variance = Vector(layer.GetProperty("running_var"));
                    for (int i = 0; i < x.Length; i++)
                    {
                        y[i] = ((x[i] - mean[i]) / Math.Sqrt(variance[i] + eps) * (weight?[i] ?? 1)) + (bias?[i] ?? 0);
                    }
                }

                tensors.Add((name ?? "N" + label, y));
                return y;
            }

            case "residual":
            {
                double[] f = Sequence(layer.GetProperty("layers"), x, label, tensors);
                double[] y = x.Zip(f, (a, b) => a + b).ToArray();
                tensors.Add((name ?? "R" + label, y));
                return y;
            }

            case "swiglu":
            {
                string output = name ?? "S" + label;
                double[][] gate = Matrix(layer.GetProperty("gate"));
                double[][] up = Matrix(layer.GetProperty("up"));
                double[][] down = Matrix(layer.GetProperty("down"));
                double[] g = gate.Select(row => Dot(row, x)).ToArray();
                double[] u = up.Select(row => Dot(row, x)).ToArray();
                double[] h = g.Select((v, i) => v / (1 + Math.Exp(-v)) * u[i]).ToArray();
                double[] y = down.Select(row => Dot(row, h)).ToArray();
                tensors.Add((output + "_gate", g));
                tensors.Add((output + "_up", u));
                tensors.Add((output + "_hidden", h));
                tensors.Add((output, y));
                return y;
            }

            default:
            {
                double[] y = Activation(op, layer, x);
                tensors.Add((name ?? "A" + label, y));
                return y;
            }
        }
    }

    internal static double[] Activation(string op, JsonElement layer, double[] x)
    {
        switch (op)
        {
            case "identity":
            case "dropout":
                return (double[])x.Clone();
            case "relu":
                return x.Select(v => Math.Max(0, v)).ToArray();
            case "leaky_relu":
                double alpha = layer.ValueKind == JsonValueKind.Object && layer.TryGetProperty("alpha", out var a) ? (float)a.GetDouble() : 0.01f;
                return x.Select(v => v >= 0 ? v : alpha * v).ToArray();
            case "gelu":
                bool tanh = layer.ValueKind == JsonValueKind.Object && layer.TryGetProperty("approximate", out var ap) && ap.GetString() == "tanh";
                return tanh
                    ? x.Select(v => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + (0.044715 * v * v * v))))).ToArray()
                    : x.Select(v => v * 0.5 * Erfc(-v / Math.Sqrt(2))).ToArray();
            case "silu":
            case "swish":
                return x.Select(v => v * Sigmoid(v)).ToArray();
            case "sigmoid":
                return x.Select(Sigmoid).ToArray();
            case "tanh":
                return x.Select(Math.Tanh).ToArray();
            case "softmax":
            {
                double max = x.Max();
                double[] e = x.Select(v => Math.Exp(v - max)).ToArray();
                double sum = e.Sum();
                return e.Select(v => v / sum).ToArray();
            }

            case "log_softmax":
            {
                double max = x.Max();
                double log = Math.Log(x.Sum(v => Math.Exp(v - max)));
                return x.Select(v => v - max - log).ToArray();
            }

            case "elu":
            {
                double eluAlpha = Parameter(layer, "alpha", 1f);
                return x.Select(v => v > 0 ? v : eluAlpha * (Math.Exp(v) - 1)).ToArray();
            }

            case "selu":
                return x.Select(v => SeluScale * (v > 0 ? v : SeluAlpha * (Math.Exp(v) - 1))).ToArray();
            case "softplus":
            {
                double beta = Parameter(layer, "beta", 1f), threshold = Parameter(layer, "threshold", 20f);
                return x.Select(v => beta * v > threshold ? v : Softplus(beta * v) / beta).ToArray();
            }

            case "mish":
                return x.Select(v => v * Math.Tanh(v > 20 ? v : Softplus(v))).ToArray();
            case "hard_sigmoid":
            {
                double slope = Parameter(layer, "alpha", 1f / 6f), offset = Parameter(layer, "beta", 0.5f);
                return x.Select(v => Math.Max(0, Math.Min(1, (slope * v) + offset))).ToArray();
            }

            case "hard_swish":
                return x.Select(v => v * Math.Min(Math.Max(v + 3, 0), 6) / 6).ToArray();
            case "clip":
            {
                double lo = Parameter(layer, "min", float.NegativeInfinity), hi = Parameter(layer, "max", float.PositiveInfinity);
                return x.Select(v => Math.Min(Math.Max(v, lo), hi)).ToArray();
            }

            default:
                throw new ArgumentException("Unknown op " + op);
        }
    }

    internal static bool IsActivation(string op) =>
        op is "identity" or "dropout" or "relu" or "leaky_relu" or "gelu" or "silu" or "swish" or "sigmoid" or "tanh" or "softmax" or "log_softmax"
            or "elu" or "selu" or "softplus" or "mish" or "hard_sigmoid" or "hard_swish" or "clip";

    /// <summary>SELU's constants in double, as PyTorch's documentation gives them.</summary>
    internal const double SeluAlpha = 1.6732632423543772848170429916717, SeluScale = 1.0507009873554804934193349852946;

    /// <summary>An activation parameter as the network computes with it: the written number rounded to float32, or the default.</summary>
    internal static double Parameter(JsonElement layer, string key, float defaultValue) =>
        layer.ValueKind == JsonValueKind.Object && layer.TryGetProperty(key, out var value) ? (float)value.GetDouble() : defaultValue;

    /// <summary><c>log(1 + eᶻ)</c> without overflow.</summary>
    internal static double Softplus(double z) => Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z)));

    internal static double Sigmoid(double v) => v >= 0 ? 1 / (1 + Math.Exp(-v)) : Math.Exp(v) / (1 + Math.Exp(v));

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    /// <summary>erfc to double precision: Maclaurin series of erf near 0, Laplace's continued fraction beyond.</summary>
    public static double Erfc(double x)
    {
        double ax = Math.Abs(x);
        double tail;
        if (ax < 2.5)
        {
            double term = ax, sum = ax;
            for (int n = 1; n < 200; n++)
            {
                term *= -ax * ax / n;
                double t = term / ((2 * n) + 1);
                sum += t;
                if (Math.Abs(t) < 1e-17 * Math.Abs(sum))
                {
                    break;
                }
            }

            double erf = sum * 2 / Math.Sqrt(Math.PI);
            tail = 1 - erf;
        }
        else
        {
            double f = ax;
            for (int k = 300; k >= 1; k--)
            {
                f = ax + (k / 2.0 / f);
            }

            tail = Math.Exp(-ax * ax) / (Math.Sqrt(Math.PI) * f);
        }

        return x >= 0 ? tail : 2 - tail;
    }

    internal static double[] Vector(JsonElement tensor) =>
        tensor.ValueKind == JsonValueKind.Array
            ? tensor.EnumerateArray().Select(v => (double)(float)v.GetDouble()).ToArray()
            : Decode(tensor);

    internal static double[][] Matrix(JsonElement tensor)
    {
        if (tensor.ValueKind == JsonValueKind.Array)
        {
            return tensor.EnumerateArray().Select(Vector).ToArray();
        }

        int[] shape = tensor.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        double[] flat = Decode(tensor);
        return Enumerable.Range(0, shape[0]).Select(r => flat.Skip(r * shape[1]).Take(shape[1]).ToArray()).ToArray();
    }

    private static double[] Decode(JsonElement tensor)
    {
        byte[] bytes = Convert.FromBase64String(tensor.GetProperty("base64").GetString()!);
        return Enumerable.Range(0, bytes.Length / 4).Select(i => (double)BitConverter.ToSingle(bytes, i * 4)).ToArray();
    }
}
