using System;
using BenchmarkDotNet.Attributes;
using NetGen;
using NetGen.Training;

namespace NetGen.Benchmarks;

/// <summary>T2 (784-128-64-10, ReLU, ReLU, logits), trainable.</summary>
[Network("t2.netgen.json", Trainable = true)]
public static partial class T2Trainable;

/// <summary>The digits classifier's architecture (64-32-16-10, logits) at its initial weights, trainable.</summary>
[Network("digits-init.netgen.json", Trainable = true)]
public static partial class DigitsTrainable;

/// <summary>
/// One training step: forward, cross-entropy, backward (no input gradient), Adam. PyTorch's
/// eager time for the same step, one thread, is in benchmarks/pytorch/training_step.py's output
/// (benchmarks/README.md records both); the roofline is the forward and backward FLOPs, 6 per
/// weight and row, over the time.
/// </summary>
[MemoryDiagnoser]
public class TrainingBenchmarks
{
    private readonly T2Trainable.Model _t2 = new();
    private readonly T2Trainable.BatchCache _t2Cache = new(32);
    private readonly Adam _t2Adam = new();
    private readonly float[] _t2Inputs = Inputs(32 * T2Trainable.InputSize);
    private readonly float[] _t2Logits = new float[32 * T2Trainable.OutputSize];
    private readonly float[] _t2Gradients = new float[32 * T2Trainable.OutputSize];

    private readonly DigitsTrainable.Model _digits = new();
    private readonly DigitsTrainable.BatchCache _digitsCache = new(64);
    private readonly Adam _digitsAdam = new();
    private readonly float[] _digitsInputs = Inputs(64 * DigitsTrainable.InputSize);
    private readonly float[] _digitsLogits = new float[64 * DigitsTrainable.OutputSize];
    private readonly float[] _digitsGradients = new float[64 * DigitsTrainable.OutputSize];

    private readonly int[] _labels = Labels(64);

    /// <summary>784-128-64-10 at batch 32: 109,386 parameters, 21.0 MFLOP forward and backward.</summary>
    [Benchmark]
    public float T2Step()
    {
        _t2.ForwardBatch(_t2Inputs, _t2Logits, _t2Cache);
        float loss = Loss.CrossEntropy(_t2Logits, _labels.AsSpan(0, 32), _t2Gradients);
        _t2.ZeroGradients();
        _t2.BackwardBatch(_t2Cache, _t2Gradients, Span<float>.Empty);
        _t2Adam.Step(_t2.Parameters, _t2.Gradients);
        return loss;
    }

    /// <summary>64-32-16-10 at batch 64: 2,778 parameters, 1.05 MFLOP forward and backward.</summary>
    [Benchmark]
    public float DigitsStep()
    {
        _digits.ForwardBatch(_digitsInputs, _digitsLogits, _digitsCache);
        float loss = Loss.CrossEntropy(_digitsLogits, _labels, _digitsGradients);
        _digits.ZeroGradients();
        _digits.BackwardBatch(_digitsCache, _digitsGradients, Span<float>.Empty);
        _digitsAdam.Step(_digits.Parameters, _digits.Gradients);
        return loss;
    }

    private static float[] Inputs(int length)
    {
        var random = new Random(1);
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)random.NextDouble();
        }

        return values;
    }

    private static int[] Labels(int rows)
    {
        var labels = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            labels[i] = (i * 7) % 10;
        }

        return labels;
    }
}
