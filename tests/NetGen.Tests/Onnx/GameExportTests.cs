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

    /// <summary>
    /// The same policy's discrete head: two branches of logits, each masked by its slice of
    /// <c>action_masks</c> (<c>logits ⊙ m − 1e8 ⊙ (−1 ⊙ m + 1)</c>, as ML-Agents' _mask_branch
    /// writes it), a softmax and an argmax, joined by a Concat. The import joins the branches
    /// into one linear layer, a mask of the action_masks part and an argmax of groups 3 and 2;
    /// its actions equal ONNX Runtime's for every mask pattern, except where two allowed logits
    /// are closer than the format's bound (then either is a right answer).
    /// </summary>
    [Fact]
    public void An_ml_agents_discrete_head_imports_as_a_mask_and_an_argmax_and_picks_onnx_runtimes_actions()
    {
        string json = OnnxImporter.ImportFile(Model("mlagents-policy.onnx"), "deterministic_discrete_actions");
        Assert.Contains("\"op\": \"mask\", \"input\": \"action_masks\", \"start\": 0, \"fill\": -100000000", json);
        Assert.Contains("\"op\": \"argmax\", \"groups\": [3, 2]", json);
        var compiled = CompiledNetworks.Compile([json]);
        Assert.Equal(17, compiled.Constant(0, "InputSize"));
        Assert.Equal(12, compiled.Constant(0, "ActionMasksOffset"));
        Assert.Equal(5, compiled.Constant(0, "ActionMasksSize"));

        const int rows = 256;
        var random = new Random(7);
        float[] obs0 = Uniform(random, rows * 8, 6);
        float[] obs1 = Uniform(random, rows * 4, 6);
        // Every one of the 32 mask patterns, 8 times (none allowed included).
        float[] masks = Enumerable.Range(0, rows * 5).Select(i => ((i / 5 % 32) >> (i % 5) & 1) == 0 ? 1f : 0f).ToArray();
        long[] expected = RunOnnxRuntime<long>(Model("mlagents-policy.onnx"), "deterministic_discrete_actions",
            ("obs_0", obs0, [rows, 8]), ("obs_1", obs1, [rows, 4]), ("action_masks", masks, [rows, 5]));

        float[] x = Enumerable.Range(0, rows).SelectMany(r => obs0.Skip(r * 8).Take(8).Concat(obs1.Skip(r * 4).Take(4)).Concat(masks.Skip(r * 5).Take(5))).ToArray();
        var y = new float[rows * 2];
        compiled[0].ForwardBatch(x, y);
        int compared = 0;
        for (int r = 0; r < rows; r++)
        {
            var cache = compiled[0].ForwardCache(x.AsSpan(r * 17, 17).ToArray(), new float[2]);
            float[] masked = cache.Single(t => t.Name == "M6").Values;
            for (int b = 0; b < 2; b++)
            {
                int start = b == 0 ? 0 : 3, size = b == 0 ? 3 : 2;
                var allowed = masked.Skip(start).Take(size).OrderDescending().ToArray();
                if (allowed[0] - allowed[1] <= 2e-5 * (1 + Math.Abs(allowed[0])) && allowed[0] > -1e8f)
                {
                    continue;
                }

                Assert.Equal(expected[(r * 2) + b], (long)y[(r * 2) + b]);
                compared++;
            }
        }

        // With these inputs no two allowed logits are that close: every action is compared.
        Assert.Equal(rows * 2, compared);
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

    private static float[] RunOnnxRuntime(string path, string output, params (string Name, float[] Values, int[] Shape)[] inputs) =>
        RunOnnxRuntime<float>(path, output, inputs);

    private static T[] RunOnnxRuntime<T>(string path, string output, params (string Name, float[] Values, int[] Shape)[] inputs)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(File.ReadAllBytes(path), options);
        var feeds = inputs.Select(i => NamedOnnxValue.CreateFromTensor(i.Name, new DenseTensor<float>(i.Values, i.Shape))).ToList();
        using var results = session.Run(feeds, new[] { output });
        return results.Single().AsEnumerable<T>().ToArray();
    }
}
