using System;
using System.IO;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;

namespace NetGen.Benchmarks;

/// <summary>
/// P1: the ML-Agents policy of <c>samples/AgentPolicy</c> (12 observation floats in two parts,
/// normalisers, 2 × 128 Swish, the clamped continuous head), imported by the build from its ONNX
/// file, against ONNX Runtime running that same file (its three inputs, the chosen output): one
/// agent a call, as a game asks an agent's action, and 1,024 agents in one batch, as a frame does.
/// </summary>
[MemoryDiagnoser]
public class PolicyBenchmarks
{
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private OrtValue[] _inputs = [];
    private OrtValue[] _outputs = [];
    private readonly string[] _inputNames = ["obs_0", "obs_1", "action_masks"];
    private readonly string[] _outputNames = ["deterministic_continuous_actions"];
    private float[] _observations = [];
    private float[] _actions = [];

    [Params(1, 1024)]
    public int Agents { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(2026);
        float[] obs0 = new float[Agents * Policy.Obs0Size], obs1 = new float[Agents * Policy.Obs1Size], masks = new float[Agents * 5];
        Fill(random, obs0);
        Fill(random, obs1);
        Array.Fill(masks, 1f);
        _observations = new float[Agents * Policy.InputSize];
        for (int a = 0; a < Agents; a++)
        {
            obs0.AsSpan(a * Policy.Obs0Size, Policy.Obs0Size).CopyTo(_observations.AsSpan((a * Policy.InputSize) + Policy.Obs0Offset));
            obs1.AsSpan(a * Policy.Obs1Size, Policy.Obs1Size).CopyTo(_observations.AsSpan((a * Policy.InputSize) + Policy.Obs1Offset));
        }

        _actions = new float[Agents * Policy.OutputSize];
        float[] onnxActions = new float[_actions.Length];
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(Path.Combine(AppContext.BaseDirectory, "mlagents-policy.onnx"), options);
        _runOptions = new RunOptions();
        _inputs =
        [
            OrtValue.CreateTensorValueFromMemory(obs0, [Agents, Policy.Obs0Size]),
            OrtValue.CreateTensorValueFromMemory(obs1, [Agents, Policy.Obs1Size]),
            OrtValue.CreateTensorValueFromMemory(masks, [Agents, 5]),
        ];
        _outputs = [OrtValue.CreateTensorValueFromMemory(onnxActions, [Agents, Policy.OutputSize])];

        // Both engines must agree before either is timed.
        OnnxRuntime();
        NetGen();
        for (int i = 0; i < _actions.Length; i++)
        {
            if (Math.Abs(_actions[i] - onnxActions[i]) > 1e-4f * (1 + Math.Abs(onnxActions[i])))
            {
                throw new InvalidOperationException($"policy: action {i} is {_actions[i]}, ONNX Runtime gives {onnxActions[i]}.");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var value in _inputs)
        {
            value.Dispose();
        }

        _outputs[0].Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ONNX Runtime")]
    public void OnnxRuntime() => _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);

    [Benchmark(Description = "NetGen")]
    public void NetGen()
    {
        if (Agents == 1)
        {
            Policy.Forward(_observations, _actions);
        }
        else
        {
            Policy.ForwardBatch(_observations, _actions);
        }
    }

    private static void Fill(Random random, float[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(((random.NextDouble() * 2) - 1) * 6);
        }
    }
}

/// <summary>The policy, from <c>samples/AgentPolicy/Models/mlagents-policy.onnx</c> (a NetGenModel item).</summary>
[Network("mlagents-policy.onnx")]
public static partial class Policy;
