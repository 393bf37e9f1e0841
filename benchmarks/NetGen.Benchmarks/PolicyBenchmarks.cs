using System;
using System.IO;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;

namespace NetGen.Benchmarks;

/// <summary>The output of the ML-Agents policy that a benchmark computes.</summary>
public enum PolicyHead
{
    /// <summary><c>deterministic_continuous_actions</c>: the clamped Gaussian mean, 2 floats.</summary>
    Continuous,

    /// <summary><c>deterministic_discrete_actions</c>: the argmax of each of two masked branches (3 and 2 actions).</summary>
    Discrete,
}

/// <summary>
/// P1: the ML-Agents policy of <c>samples/AgentPolicy</c> (12 observation floats in two parts,
/// normalisers, 2 × 128 Swish; the clamped continuous head, or the discrete head's two branches
/// masked by <c>action_masks</c>), imported by the build from its ONNX file, against ONNX Runtime
/// running that same file (its three inputs, the chosen output): one agent a call, as a game asks
/// an agent's action, and 1,024 agents in one batch, as a frame does.
/// </summary>
[MemoryDiagnoser]
public class PolicyBenchmarks
{
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private OrtValue[] _inputs = [];
    private OrtValue[] _outputs = [];
    private readonly string[] _inputNames = ["obs_0", "obs_1", "action_masks"];
    private string[] _outputNames = [];
    private float[] _observations = [];
    private float[] _actions = [];

    [Params(PolicyHead.Continuous, PolicyHead.Discrete)]
    public PolicyHead Head { get; set; }

    [Params(1, 1024)]
    public int Agents { get; set; }

    private bool Discrete => Head == PolicyHead.Discrete;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(2026);
        float[] obs0 = new float[Agents * Policy.Obs0Size], obs1 = new float[Agents * Policy.Obs1Size], masks = new float[Agents * 5];
        Fill(random, obs0);
        Fill(random, obs1);
        for (int i = 0; i < masks.Length; i++)
        {
            // The continuous head does not read the masks; the discrete one gets a random pattern an agent.
            masks[i] = !Discrete || random.Next(4) > 0 ? 1f : 0f;
        }

        var (inputSize, obs0Offset, obs1Offset) = Discrete
            ? (DiscretePolicy.InputSize, DiscretePolicy.Obs0Offset, DiscretePolicy.Obs1Offset)
            : (Policy.InputSize, Policy.Obs0Offset, Policy.Obs1Offset);
        _observations = new float[Agents * inputSize];
        for (int a = 0; a < Agents; a++)
        {
            obs0.AsSpan(a * Policy.Obs0Size, Policy.Obs0Size).CopyTo(_observations.AsSpan((a * inputSize) + obs0Offset));
            obs1.AsSpan(a * Policy.Obs1Size, Policy.Obs1Size).CopyTo(_observations.AsSpan((a * inputSize) + obs1Offset));
            if (Discrete)
            {
                masks.AsSpan(a * 5, 5).CopyTo(_observations.AsSpan((a * inputSize) + DiscretePolicy.ActionMasksOffset));
            }
        }

        _actions = new float[Agents * 2];
        float[] onnxActions = new float[_actions.Length];
        long[] onnxChoices = new long[_actions.Length];
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
        _outputNames = [Discrete ? "deterministic_discrete_actions" : "deterministic_continuous_actions"];
        _outputs = [Discrete ? OrtValue.CreateTensorValueFromMemory(onnxChoices, [Agents, 2]) : OrtValue.CreateTensorValueFromMemory(onnxActions, [Agents, 2])];

        // Both engines must agree before either is timed.
        OnnxRuntime();
        NetGen();
        for (int i = 0; i < _actions.Length; i++)
        {
            float expected = Discrete ? onnxChoices[i] : onnxActions[i];
            if (Math.Abs(_actions[i] - expected) > 1e-4f * (1 + Math.Abs(expected)))
            {
                throw new InvalidOperationException($"policy ({Head}): action {i} is {_actions[i]}, ONNX Runtime gives {expected}.");
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
        switch ((Discrete, Agents == 1))
        {
            case (false, true):
                Policy.Forward(_observations, _actions);
                break;
            case (false, false):
                Policy.ForwardBatch(_observations, _actions);
                break;
            case (true, true):
                DiscretePolicy.Forward(_observations, _actions);
                break;
            default:
                DiscretePolicy.ForwardBatch(_observations, _actions);
                break;
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

/// <summary>The policy's continuous head, from <c>samples/AgentPolicy/Models/mlagents-policy.onnx</c> (a NetGenModel item).</summary>
[Network("mlagents-policy.onnx")]
public static partial class Policy;

/// <summary>The same file's discrete head (a second NetGenModel item, named <c>mlagents-policy-discrete</c>).</summary>
[Network("mlagents-policy-discrete.netgen.json")]
public static partial class DiscretePolicy;
