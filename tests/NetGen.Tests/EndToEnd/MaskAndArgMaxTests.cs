using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Tests.Harness;
using NetGen.Tests.Reference;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>
/// The mask and argmax ops: an action-masked discrete head as game policies have it (logits,
/// masked by an input part, the first largest index of each branch), through every entry point
/// and strategy, against the float64 reference.
/// </summary>
public sealed class MaskAndArgMaxTests
{
    /// <summary>Observations (4) and an action mask (3 + 2) in one input; two branches of logits, masked, and their argmax.</summary>
    internal static string Head(string strategy) => $$"""
        { "format": "netgen/1", "input": 9, "strategy": "{{strategy}}",
          "inputs": [ { "name": "obs", "size": 4 }, { "name": "action_masks", "size": 5 } ],
          "layers": [
            { "op": "slice", "end": 4 },
            { "op": "linear", "out": 6, "activation": "tanh",
              "weight": [[0.5, -0.2, 0.1, 0.3], [-0.4, 0.6, 0.2, -0.1], [0.3, 0.3, -0.5, 0.2], [0.1, -0.7, 0.4, 0.6], [-0.2, 0.1, 0.9, -0.3], [0.6, 0.2, -0.1, -0.8]] },
            { "op": "linear", "out": 5,
              "weight": [[0.9, -0.3, 0.2, 0.5, -0.6, 0.1], [-0.5, 0.8, 0.3, -0.2, 0.4, 0.7], [0.2, 0.1, -0.9, 0.6, 0.3, -0.4], [0.7, -0.6, 0.5, 0.1, -0.2, 0.3], [-0.3, 0.4, 0.6, -0.7, 0.8, 0.2]],
              "bias": [0.1, -0.1, 0.05, 0, 0.2] },
            { "op": "mask", "name": "masked", "input": "action_masks" },
            { "op": "argmax", "name": "actions", "groups": [3, 2] }
          ] }
        """;

    [Fact]
    public void A_masked_discrete_head_picks_the_largest_allowed_logit_of_each_branch_in_every_strategy_and_entry_point()
    {
        string[] strategies = { "auto", "unrolled", "kernel", "vectorized" };
        var compiled = CompiledNetworks.Compile(strategies.Select(Head).ToList());
        const int rows = 70;
        float[] x = Inputs(rows);

        var reference = new ReferenceNetwork(Head("auto"));
        for (int n = 0; n < strategies.Length; n++)
        {
            var net = compiled[n];
            var batch = new float[rows * 2];
            net.ForwardBatch(x, batch);
            var parallel = new float[rows * 2];
            net.ForwardBatchParallel(x, parallel);
            Assert.Equal(batch, parallel);
            for (int r = 0; r < rows; r++)
            {
                float[] row = x.AsSpan(r * 9, 9).ToArray();
                var tensors = new List<(string Name, double[] Values)>();
                double[] expected = reference.Evaluate(row, tensors);
                double[] logits = tensors.Single(t => t.Name == "Z3").Values;
                float[] allowed = row[4..];
                for (int b = 0; b < 2; b++)
                {
                    int start = b == 0 ? 0 : 3, size = b == 0 ? 3 : 2;
                    int pick = (int)expected[b];
                    bool any = allowed.Skip(start).Take(size).Any(m => m == 1);
                    Assert.True(!any || allowed[start + pick] == 1, $"{strategies[n]} row {r}: branch {b} picked a masked action");
                    Assert.True(!any || Enumerable.Range(start, size).Where(i => allowed[i] == 1).All(i => logits[i] <= logits[start + pick]));
                    Assert.True(any || pick == 0);
                }

                var y = new float[2];
                net.Forward(row, y);
                var cached = new float[2];
                var cache = net.ForwardCache(row, cached);
                Assert.Equal(expected.Select(v => (float)v), y);
                Assert.Equal(y, cached);
                Assert.Equal(y, batch.AsSpan(r * 2, 2).ToArray());
                float[] masked = cache.Single(t => t.Name == "masked").Values;
                Accuracy.Compare(tensors.Single(t => t.Name == "masked").Values, masked, $"{strategies[n]} row {r} masked");
                Assert.All(Enumerable.Range(0, 5).Where(i => allowed[i] == 0), i => Assert.Equal(-1e8f, masked[i]));
            }
        }
    }

    /// <summary>The same head as Unity compiles it (C# 9 against the netstandard2.1 runtime) gives the same actions.</summary>
    [Fact]
    public void A_masked_discrete_head_compiled_as_unity_does_gives_the_same_actions()
    {
        string[] strategies = { "auto", "kernel" };
        var unity = CompiledNetworks.Compile(strategies.Select(Head).ToList(), unity: true);
        var current = CompiledNetworks.Compile(strategies.Select(Head).ToList());
        float[] x = Inputs(40);
        for (int n = 0; n < strategies.Length; n++)
        {
            var expected = new float[80];
            current[n].ForwardBatch(x, expected);
            var y = new float[80];
            unity[n].ForwardBatch(x, y);
            Assert.Equal(expected, y);
            var one = new float[2];
            unity[n].Forward(x.AsSpan(0, 9).ToArray(), one);
            Assert.Equal(expected.AsSpan(0, 2).ToArray(), one);
        }
    }

    /// <summary>
    /// The trainable model of the same head: the same actions; no gradient passes the argmax (its
    /// indices are constant between jumps), so a backward pass leaves every gradient 0; and the
    /// description it writes compiles back into the fixed network.
    /// </summary>
    [Fact]
    public void A_trainable_head_gives_the_same_actions_passes_no_gradient_through_argmax_and_writes_its_description_back()
    {
        var compiled = CompiledNetworks.Compile([Head("auto")], trainable: true);
        var training = compiled.Training(0);
        const int rows = 32;
        float[] x = Inputs(rows);
        var expected = new float[rows * 2];
        compiled[0].ForwardBatch(x, expected);

        object model = training.NewModel();
        object cache = training.NewCache(rows);
        var y = new float[rows * 2];
        training.ForwardBatch(model, x, y, cache);
        Assert.Equal(expected, y);

        var dx = Enumerable.Repeat(float.NaN, rows * 9).ToArray();
        training.BackwardBatch(model, cache, Enumerable.Repeat(1f, rows * 2).ToArray(), dx);
        Assert.All(training.Gradients(model), g => Assert.Equal(0f, g));
        Assert.All(dx, g => Assert.Equal(0f, g));

        string description = training.ToDescription(model);
        var layers = System.Text.Json.Nodes.JsonNode.Parse(description)!["layers"]!.AsArray();
        Assert.Equal("""{"op":"mask","name":"masked","input":"action_masks","start":0,"fill":-100000000}""", layers[3]!.ToJsonString());
        Assert.Equal("""{"op":"argmax","name":"actions","groups":[3,2]}""", layers[4]!.ToJsonString());
        var again = new float[rows * 2];
        CompiledNetworks.Compile([description])[0].ForwardBatch(x, again);
        Assert.Equal(expected, again);
    }

    /// <summary>An argmax with "last" over values with ties, in every strategy and entry point, against the reference.</summary>
    [Fact]
    public void An_argmax_of_the_last_of_equal_values_picks_the_last_tie_everywhere()
    {
        static string Ties(string strategy) => $$"""
            { "format": "netgen/1", "input": 6, "strategy": "{{strategy}}", "layers": [
              { "op": "clip", "min": 0, "max": 1 },
              { "op": "argmax", "groups": [4, 2], "last": true }
            ] }
            """;
        string[] strategies = { "auto", "kernel" };
        var compiled = CompiledNetworks.Compile(strategies.Select(Ties).ToList());
        // Clipped to [0, 1], most rows hold ties of 0 or 1.
        float[] x = Enumerable.Range(0, 20 * 6).Select(i => (float)((i * 7 % 11) - 5)).ToArray();
        var reference = new ReferenceNetwork(Ties("auto"));
        for (int n = 0; n < strategies.Length; n++)
        {
            var batch = new float[40];
            compiled[n].ForwardBatch(x, batch);
            for (int r = 0; r < 20; r++)
            {
                float[] row = x.AsSpan(r * 6, 6).ToArray();
                var y = new float[2];
                compiled[n].Forward(row, y);
                var expected = reference.Evaluate(row, new()).Select(v => (float)v).ToArray();
                Assert.Equal(expected, y);
                Assert.Equal(expected, batch.AsSpan(r * 2, 2).ToArray());
            }
        }

        // A trainable model writes "last" back, and its description compiles into the same network.
        var training = CompiledNetworks.Compile([Ties("auto")], trainable: true).Training(0);
        string description = training.ToDescription(training.NewModel());
        Assert.Equal("""{"op":"argmax","groups":[4,2],"last":true}""", System.Text.Json.Nodes.JsonNode.Parse(description)!["layers"]![1]!.ToJsonString());
        var again = new float[40];
        CompiledNetworks.Compile([description])[0].ForwardBatch(x, again);
        var first = new float[40];
        compiled[0].ForwardBatch(x, first);
        Assert.Equal(first, again);
    }

    /// <summary>Observations in [-3, 3] and every pattern of allowed actions in turn, none allowed included (then the first index wins).</summary>
    internal static float[] Inputs(int rows)
    {
        var random = new Random(5);
        var x = new float[rows * 9];
        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < 4; i++)
            {
                x[(r * 9) + i] = (float)((random.NextDouble() * 6) - 3);
            }

            for (int i = 0; i < 5; i++)
            {
                x[(r * 9) + 4 + i] = (r >> i & 1) == 0 ? 1f : 0f;
            }
        }

        return x;
    }

    [Fact]
    public void Argmax_takes_the_first_of_equal_values_or_the_last_and_a_nan_as_the_largest_as_pytorch_does()
    {
        Assert.Equal(1f, NetGen.Runtime.Elementwise.ArgMax(new[] { 1f, 3f, 3f, 2f }));
        Assert.Equal(2f, NetGen.Runtime.Elementwise.ArgMax(new[] { 1f, 3f, float.NaN, 4f, float.NaN }));
        Assert.Equal(0f, NetGen.Runtime.Elementwise.ArgMax(new[] { float.NaN, 3f }));
        Assert.Equal(0f, NetGen.Runtime.Elementwise.ArgMax(new[] { float.NegativeInfinity, float.NegativeInfinity }));
        Assert.Throws<ArgumentException>(() => NetGen.Runtime.Elementwise.ArgMax(ReadOnlySpan<float>.Empty));

        // The last of equal values (ONNX's select_last_index), and the last NaN.
        Assert.Equal(2f, NetGen.Runtime.Elementwise.ArgMax(new[] { 1f, 3f, 3f, 2f }, last: true));
        Assert.Equal(4f, NetGen.Runtime.Elementwise.ArgMax(new[] { 1f, 3f, float.NaN, 4f, float.NaN }, last: true));
        Assert.Equal(0f, NetGen.Runtime.Elementwise.ArgMax(new[] { 5f }, last: true));
    }

    [Fact]
    public void A_mask_of_ones_and_zeros_passes_allowed_values_unchanged_and_sets_the_others_to_the_fill()
    {
        float[] x = { 1.5f, -2.25f, float.MaxValue, -7f };
        float[] m = { 1f, 0f, 1f, 0f };
        var y = new float[4];
        NetGen.Runtime.Elementwise.Mask(x, m, y, -1e8f);
        Assert.Equal(new[] { 1.5f, -1e8f, float.MaxValue, -1e8f }, y);
        Assert.Throws<ArgumentException>(() => NetGen.Runtime.Elementwise.Mask(x, m.AsSpan(0, 3), y, 0f));
    }

    [Fact]
    public void The_block_forms_of_slice_mask_and_argmax_give_each_rows_result_and_refuse_lengths_that_are_not_whole_rows()
    {
        float[] x = { 1f, 5f, 2f, 0f, -1f, 7f };
        float[] input = { 9f, 1f, 0f, 9f, 0f, 1f };
        var y = new float[4];
        NetGen.Runtime.Elementwise.SliceRows(x, y, 3, 1, 2);
        Assert.Equal(new[] { 5f, 2f, -1f, 7f }, y);
        NetGen.Runtime.Elementwise.MaskRows(y, input, y, 2, 3, 1, -9f);
        Assert.Equal(new[] { 5f, -9f, -9f, 7f }, y);
        var indices = new float[2];
        NetGen.Runtime.Elementwise.ArgMaxRows(x, indices, 3, 0, 3, 1, 0);
        Assert.Equal(new[] { 1f, 2f }, indices);

        Assert.Throws<ArgumentException>(() => NetGen.Runtime.Elementwise.SliceRows(x, new float[3], 3, 1, 2));
        Assert.Throws<ArgumentException>(() => NetGen.Runtime.Elementwise.SliceRows(x, y, 3, 2, 2));
        Assert.Throws<ArgumentException>(() => NetGen.Runtime.Elementwise.MaskRows(y, input.AsSpan(0, 5), y, 2, 3, 1, 0f));
        Assert.Throws<ArgumentException>(() => NetGen.Runtime.Elementwise.ArgMaxRows(x, indices, 3, 0, 3, 1, 1));
    }
}
