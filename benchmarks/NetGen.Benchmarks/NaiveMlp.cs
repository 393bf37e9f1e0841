using System;
using System.Collections.Generic;
using System.Linq;

namespace NetGen.Benchmarks;

/// <summary>
/// The peer a .NET developer would write by hand: a stack of linear layers as <c>float[][]</c>,
/// evaluated with plain loops, one sample at a time.
/// </summary>
public sealed class NaiveMlp
{
    private readonly float[][][] _weights;
    private readonly float[][] _biases;
    private readonly string[] _activations;
    private readonly float[][] _buffers;

    public NaiveMlp(IReadOnlyList<MlpLayer> layers)
    {
        _weights = layers.Select(l => Enumerable.Range(0, l.Out).Select(r => l.Weight.AsSpan(r * l.In, l.In).ToArray()).ToArray()).ToArray();
        _biases = layers.Select(l => l.Bias).ToArray();
        _activations = layers.Select(l => l.Activation).ToArray();
        _buffers = layers.Select(l => new float[l.Out]).ToArray();
    }

    public int InputSize => _weights[0][0].Length;

    public int OutputSize => _weights[^1].Length;

    /// <summary>Runs each row of a batch in turn.</summary>
    public void ForwardBatch(float[] inputs, float[] outputs, int rows)
    {
        var input = new float[InputSize];
        var output = new float[OutputSize];
        for (int r = 0; r < rows; r++)
        {
            Array.Copy(inputs, r * InputSize, input, 0, InputSize);
            Forward(input, output);
            Array.Copy(output, 0, outputs, r * OutputSize, OutputSize);
        }
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
            case "gelu":
                for (int i = 0; i < y.Length; i++)
                {
                    y[i] = NetGen.Runtime.SpecialFunctions.Gelu(y[i]);
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
