using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NetGen.Onnx;
using NetGen.Tests.Harness;
using Xunit;

namespace NetGen.Tests.Onnx;

/// <summary>
/// Models as games and devices export them (made by <c>Onnx/Models/export_game_models.py</c> from
/// the projects' published architectures): imported, compiled, and run against ONNX Runtime
/// 1.31.1 on the same inputs, within the format's bound.
/// </summary>
public sealed class GameExportTests
{
    private const int Rows = 16;

    private static string Model(string file) => Path.Combine(AppContext.BaseDirectory, "Onnx", "Models", file);

    /// <summary>
    /// An ML-Agents policy (opset 9): two observations, each normalised and clamped, joined by a
    /// Concat, a Swish encoder, the continuous head clamped and divided by 3. The import keeps
    /// the deterministic continuous actions, drops the unread action masks, and turns the
    /// constant outputs Unity's loader reads into constants.
    /// </summary>
    [Fact]
    public void An_ml_agents_policy_imports_with_its_observations_as_input_parts_and_its_constant_outputs()
    {
        string json = OnnxImporter.ImportFile(Model("mlagents-policy.onnx"), "deterministic_continuous_actions");
        Assert.Contains("inputs it does not read, dropped: 'action_masks'", json.Replace("\\u0027", "'"));
        var compiled = CompiledNetworks.Compile([json]);
        Assert.Equal(12, compiled.Constant(0, "InputSize"));
        Assert.Equal(2, compiled.Constant(0, "OutputSize"));
        Assert.Equal(0, compiled.Constant(0, "Obs0Offset"));
        Assert.Equal(8, compiled.Constant(0, "Obs0Size"));
        Assert.Equal(8, compiled.Constant(0, "Obs1Offset"));
        Assert.Equal(4, compiled.Constant(0, "Obs1Size"));
        Assert.Equal(3, compiled.Constant(0, "VersionNumber"));
        Assert.Equal(0, compiled.Constant(0, "MemorySize"));
        Assert.Equal(2, compiled.Constant(0, "ContinuousActionOutputShape"));
        Assert.Contains("public static global::System.ReadOnlySpan<float> DiscreteActionOutputShape => new float[] { 3f, 2f };", compiled.Source);

        // Observations beyond the normaliser's clamp of ±5 on both sides, and actions beyond ±3.
        var random = new Random(2026);
        float[] obs0 = Uniform(random, Rows * 8, 6);
        float[] obs1 = Uniform(random, Rows * 4, 6);
        float[] masks = Enumerable.Repeat(1f, Rows * 5).ToArray();
        float[] expected = RunOnnxRuntime(Model("mlagents-policy.onnx"), "deterministic_continuous_actions",
            ("obs_0", obs0, [Rows, 8]), ("obs_1", obs1, [Rows, 4]), ("action_masks", masks, [Rows, 5]));

        float[] x = Enumerable.Range(0, Rows).SelectMany(r => obs0.Skip(r * 8).Take(8).Concat(obs1.Skip(r * 4).Take(4))).ToArray();
        var y = new float[Rows * 2];
        compiled[0].ForwardBatch(x, y);
        DifferentialTests.AssertWithinBound(expected, y, "mlagents-policy.onnx");
        Assert.Contains(y, v => Math.Abs(v) == 1f);
    }

    /// <summary>The discrete head masks its logits with a second input and takes an ArgMax: refused, with the reason.</summary>
    [Fact]
    public void An_ml_agents_policys_discrete_head_is_refused_with_the_input_it_would_need()
    {
        var e = Assert.Throws<OnnxImportException>(() => OnnxImporter.ImportFile(Model("mlagents-policy.onnx"), "deterministic_discrete_actions"));
        Assert.Contains("'action_masks'", e.Message);
    }

    /// <summary>A model that computes several outputs names them, and how to choose one.</summary>
    [Fact]
    public void A_model_with_several_computed_outputs_asks_for_one()
    {
        var e = Assert.Throws<OnnxImportException>(() => OnnxImporter.ImportFile(Model("godot-rl-policy.onnx")));
        Assert.Equal("godot-rl-policy.onnx: the graph computes 2 outputs ('output', 'state_outs'); a NetGen network computes one: choose it (netgen import --graph-output NAME, or the NetGenModel item's GraphOutput metadata)", e.Message);
        var missing = Assert.Throws<OnnxImportException>(() => OnnxImporter.ImportFile(Model("godot-rl-policy.onnx"), "actions"));
        Assert.Equal("godot-rl-policy.onnx: the graph has no output 'actions'; its outputs are 'output', 'state_outs'", missing.Message);
    }

    /// <summary>A Godot RL Agents policy (opset 17): its output, with the passed-through state input dropped.</summary>
    [Fact]
    public void A_godot_rl_policy_imports_its_output_and_drops_the_state_it_passes_through()
    {
        string json = OnnxImporter.ImportFile(Model("godot-rl-policy.onnx"), "output");
        Assert.Contains("inputs it does not read, dropped: 'state_ins'", json.Replace("\\u0027", "'"));
        var compiled = CompiledNetworks.Compile([json]);
        var random = new Random(17);
        float[] obs = Uniform(random, Rows * 14, 2);
        float[] expected = RunOnnxRuntime(Model("godot-rl-policy.onnx"), "output", ("obs", obs, [Rows, 14]), ("state_ins", new float[Rows], [Rows]));
        var y = new float[Rows * 3];
        compiled[0].ForwardBatch(obs, y);
        DifferentialTests.AssertWithinBound(expected, y, "godot-rl-policy.onnx");
    }

    /// <summary>MLPerf Tiny's anomaly-detection autoencoder: dense layers with batch norms, 640 to 8 and back.</summary>
    [Fact]
    public void The_mlperf_tiny_anomaly_detection_autoencoder_imports_and_agrees_with_onnx_runtime()
    {
        string json = OnnxImporter.ImportFile(Model("mlperf-anomaly-ae.onnx"));
        var compiled = CompiledNetworks.Compile([json]);
        var random = new Random(640);
        float[] x = Uniform(random, 4 * 640, 1);
        float[] expected = RunOnnxRuntime(Model("mlperf-anomaly-ae.onnx"), "output", ("input_1", x, [4, 640]));
        var y = new float[4 * 640];
        compiled[0].ForwardBatch(x, y);
        DifferentialTests.AssertWithinBound(expected, y, "mlperf-anomaly-ae.onnx");
    }

    private static float[] Uniform(Random random, int count, double scale) =>
        Enumerable.Range(0, count).Select(_ => (float)(((random.NextDouble() * 2) - 1) * scale)).ToArray();

    private static float[] RunOnnxRuntime(string path, string output, params (string Name, float[] Values, int[] Shape)[] inputs)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(File.ReadAllBytes(path), options);
        var feeds = inputs.Select(i => NamedOnnxValue.CreateFromTensor(i.Name, new DenseTensor<float>(i.Values, i.Shape))).ToList();
        using var results = session.Run(feeds, new[] { output });
        return results.Single().AsEnumerable<float>().ToArray();
    }
}
