using System;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace NetGen.Benchmarks;

/// <summary>
/// The peer a .NET developer would write by hand: a stack of linear layers as <c>float[][]</c>,
/// evaluated with plain loops. Reads the same description as the generated code.
/// </summary>
public sealed class NaiveMlp
{
    private readonly float[][][] _weights;
    private readonly float[][] _biases;
    private readonly string[] _activations;
    private readonly float[][] _buffers;

    public NaiveMlp(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var linears = document.RootElement.GetProperty("layers").EnumerateArray().ToList();
        var weights = new System.Collections.Generic.List<float[][]>();
        var biases = new System.Collections.Generic.List<float[]>();
        var activations = new System.Collections.Generic.List<string>();
        foreach (JsonElement layer in linears)
        {
            string op = layer.GetProperty("op").GetString()!;
            if (op == "linear")
            {
                weights.Add(layer.GetProperty("weight").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray());
                int rows = weights[^1].Length;
                biases.Add(layer.TryGetProperty("bias", out var b) ? b.EnumerateArray().Select(v => v.GetSingle()).ToArray() : new float[rows]);
                activations.Add(layer.TryGetProperty("activation", out var a) ? a.GetString()! : "identity");
            }
            else
            {
                activations[^1] = op;
            }
        }

        _weights = weights.ToArray();
        _biases = biases.ToArray();
        _activations = activations.ToArray();
        _buffers = _weights.Select(w => new float[w.Length]).ToArray();
    }

    public void Forward(float[] input, float[] output)
    {
        float[] x = input;
        for (int l = 0; l < _weights.Length; l++)
        {
            float[][] w = _weights[l];
            float[] y = l == _weights.Length - 1 ? output : _buffers[l];
            for (int r = 0; r < w.Length; r++)
            {
                float sum = _biases[l][r];
                float[] row = w[r];
                for (int c = 0; c < row.Length; c++)
                {
                    sum += row[c] * x[c];
                }

                y[r] = sum;
            }

            Activate(_activations[l], y);
            x = y;
        }
    }

    private static void Activate(string activation, float[] y)
    {
        switch (activation)
        {
            case "relu":
                for (int i = 0; i < y.Length; i++)
                {
                    y[i] = MathF.Max(0, y[i]);
                }

                break;
            case "sigmoid":
                for (int i = 0; i < y.Length; i++)
                {
                    y[i] = 1f / (1f + MathF.Exp(-y[i]));
                }

                break;
            case "softmax":
                float max = y.Max(), sum = 0;
                for (int i = 0; i < y.Length; i++)
                {
                    y[i] = MathF.Exp(y[i] - max);
                    sum += y[i];
                }

                for (int i = 0; i < y.Length; i++)
                {
                    y[i] /= sum;
                }

                break;
        }
    }
}
