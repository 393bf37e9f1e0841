using System;
using System.Linq;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NetGen.Onnx;
using NetGen.Onnx.Proto;
using NetGen.Tests.Harness;
using Xunit;

namespace NetGen.Tests.Onnx;

/// <summary>
/// Mask inputs, ArgMax and branches joined by a Concat, on small graphs built here: what the
/// importer makes of them (checked against ONNX Runtime), and what it refuses, with the reason.
/// </summary>
public sealed class MaskImportTests
{
    private static readonly float[] Weight = { 0.5f, -0.2f, 0.1f, 0.3f, -0.4f, 0.6f, 0.2f, -0.1f, 0.3f, 0.3f, -0.5f, 0.2f };

    /// <summary>x [batch, 4] and m [batch, 3]: Gemm, then <paramref name="mask"/> of its logits and m, then Softmax and ArgMax.</summary>
    private static (OnnxGraph Graph, string Output) Head(Func<OnnxGraph, string, string, string> mask, bool argmax = true)
    {
        var graph = new OnnxGraph(13, 0, 4);
        string m = graph.AddInput("m", 0, 3);
        string z = graph.Node("Gemm", new[] { graph.Input, graph.Initializer(Weight, 3, 4), graph.Initializer(new[] { 0.1f, 0f, -0.1f }, 3) }, OnnxGraph.Int("transB", 1));
        string y = mask(graph, z, m);
        if (!argmax)
        {
            return (graph, y);
        }

        string p = graph.Node("Softmax", new[] { y }, OnnxGraph.Int("axis", 1));
        return (graph, graph.Node("ArgMax", new[] { p }, OnnxGraph.Int("axis", 1), OnnxGraph.Int("keepdims", 1)));
    }

    private static string Scalar(OnnxGraph graph, float value) => graph.Initializer(new[] { value });

    /// <summary>ML-Agents' form: <c>z ⊙ m − 1e8 ⊙ (−1 ⊙ m + 1)</c>.</summary>
    private static string MlAgentsMask(OnnxGraph graph, string z, string m)
    {
        string block = graph.Node("Add", new[] { graph.Node("Mul", new[] { m, Scalar(graph, -1f) }), Scalar(graph, 1f) });
        return graph.Node("Sub", new[] { graph.Node("Mul", new[] { z, m }), graph.Node("Mul", new[] { block, Scalar(graph, 1e8f) }) });
    }

    [Fact]
    public void A_mask_input_beside_the_data_becomes_an_input_part_and_a_masked_argmax_agrees_with_onnx_runtime()
    {
        var (graph, output) = Head(MlAgentsMask);
        var model = graph.BuildOfType(output, TensorProto.Types.DataType.Int64, 0, 1);
        string json = Import(model);
        Assert.Contains("\"inputs\": [\n    { \"name\": \"x\", \"size\": 4 },\n    { \"name\": \"m\", \"size\": 3 }", json);
        Assert.Contains("{ \"op\": \"slice\", \"start\": 0, \"end\": 4 }", json);
        Assert.Contains("{ \"op\": \"mask\", \"input\": \"m\", \"start\": 0, \"fill\": -100000000 }", json);
        Assert.Contains("{ \"op\": \"argmax\" }", json);
        Assert.DoesNotContain("softmax", json);

        const int rows = 64;
        var random = new Random(3);
        float[] x = Enumerable.Range(0, rows * 4).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
        float[] m = Enumerable.Range(0, rows * 3).Select(i => ((i / 3 % 8) >> (i % 3) & 1) == 0 ? 1f : 0f).ToArray();
        using var session = new InferenceSession(model.ToByteArray());
        using var results = session.Run(new[]
        {
            NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, new[] { rows, 4 })),
            NamedOnnxValue.CreateFromTensor("m", new DenseTensor<float>(m, new[] { rows, 3 })),
        });
        long[] expected = results.Single().AsEnumerable<long>().ToArray();

        var compiled = CompiledNetworks.Compile([json]);
        float[] input = Enumerable.Range(0, rows).SelectMany(r => x.Skip(r * 4).Take(4).Concat(m.Skip(r * 3).Take(3))).ToArray();
        var y = new float[rows];
        compiled[0].ForwardBatch(input, y);
        Assert.Equal(expected, y.Select(v => (long)v));
    }

    [Fact]
    public void Branches_of_linear_layers_from_one_tensor_joined_by_a_concat_become_one_layer_and_agree_with_onnx_runtime()
    {
        var graph = new OnnxGraph(13, 0, 4);
        string h = graph.Node("Tanh", new[] { graph.Input });
        string a = graph.Node("Relu", new[] { graph.Node("Gemm", new[] { h, graph.Initializer(Weight, 3, 4) }, OnnxGraph.Int("transB", 1)) });
        string b = graph.Node("Relu", new[] { graph.Node("Gemm", new[] { h, graph.Initializer(Weight.Take(8).ToArray(), 2, 4), graph.Initializer(new[] { 0.5f, -0.5f }, 2) }, OnnxGraph.Int("transB", 1)) });
        var model = graph.Build(graph.Node("Concat", new[] { a, b }, OnnxGraph.Int("axis", 1)), 0, 5);
        string json = Import(model);
        Assert.Contains("\"out\": 5", json);
        Assert.Contains("\"bias\": [0, 0, 0, 0.5, -0.5]", json);

        var random = new Random(4);
        float[] x = Enumerable.Range(0, 8 * 4).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
        using var session = new InferenceSession(model.ToByteArray());
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, new[] { 8, 4 })) });
        var y = new float[8 * 5];
        CompiledNetworks.Compile([json])[0].ForwardBatch(x, y);
        DifferentialTests.AssertWithinBound(results.Single().AsEnumerable<float>().ToArray(), y, "branches");
    }

    [Fact]
    public void A_head_of_one_branch_joined_by_a_concat_of_one_imports_as_that_branch()
    {
        var (graph, output) = Head(MlAgentsMask);
        string joined = graph.Node("Concat", new[] { output }, OnnxGraph.Int("axis", 1));
        string json = Import(graph.BuildOfType(joined, TensorProto.Types.DataType.Int64, 0, 1));
        Assert.Contains("{ \"op\": \"mask\", \"input\": \"m\", \"start\": 0, \"fill\": -100000000 }", json);
        Assert.Contains("{ \"op\": \"argmax\" }", json);
    }

    [Fact]
    public void A_mask_that_scales_the_logits_by_more_than_the_mask_is_refused()
    {
        var (graph, output) = Head((g, z, m) => g.Node("Mul", new[] { z, g.Node("Mul", new[] { m, Scalar(g, 2f) }) }));
        var e = Assert.Throws<OnnxImportException>(() => Import(graph.Build(output, 0, 1)));
        Assert.Contains("Mul of the network's tensor and 2·m + 0 of the mask input 'm'; NetGen reads a mask as x·m, then plus c·(1 − m)", e.Message);
    }

    [Fact]
    public void A_fill_that_is_not_of_the_form_c_times_one_minus_the_mask_is_refused()
    {
        var (graph, output) = Head((g, z, m) => g.Node("Sub", new[] { g.Node("Mul", new[] { z, m }), g.Node("Add", new[] { g.Node("Mul", new[] { m, Scalar(g, 3f) }), Scalar(g, 1f) }) }));
        var e = Assert.Throws<OnnxImportException>(() => Import(graph.Build(output, 0, 1)));
        Assert.Contains("it adds -3·m + -1 to the masked tensor; NetGen's mask fills with c·(1 − m), so the two must be opposite", e.Message);
    }

    [Fact]
    public void An_argmax_over_the_batch_axis_or_without_its_kept_axis_before_other_nodes_is_refused()
    {
        var graph = new OnnxGraph(13, 0, 4);
        string y = graph.Node("ArgMax", new[] { graph.Input }, OnnxGraph.Int("axis", 0));
        var e = Assert.Throws<OnnxImportException>(() => Import(graph.Build(y, 1, 4)));
        Assert.Contains("ArgMax: it takes the argmax over axis 0 of [?, 4]; NetGen takes it over the features (the last axis)", e.Message);

        // keepdims 0 as the graph's output: the same floats as [batch, 1]; read on, refused.
        graph = new OnnxGraph(13, 0, 4);
        y = graph.Node("ArgMax", new[] { graph.Input }, OnnxGraph.Int("axis", -1), OnnxGraph.Int("keepdims", 0));
        Assert.Contains("{ \"op\": \"argmax\" }", Import(graph.BuildOfType(y, TensorProto.Types.DataType.Int64, 0)));

        graph = new OnnxGraph(13, 0, 4);
        y = graph.Node("Neg", new[] { graph.Node("ArgMax", new[] { graph.Input }, OnnxGraph.Int("axis", -1), OnnxGraph.Int("keepdims", 0)) });
        e = Assert.Throws<OnnxImportException>(() => Import(graph.Build(y, 0)));
        Assert.Contains("keepdims is 0 and its output is read on; NetGen keeps the feature axis (of size 1)", e.Message);
    }

    [Fact]
    public void Branches_with_different_steps_are_refused_with_each_branchs_steps()
    {
        var graph = new OnnxGraph(13, 0, 4);
        string a = graph.Node("Relu", new[] { graph.Node("Gemm", new[] { graph.Input, graph.Initializer(Weight, 3, 4) }, OnnxGraph.Int("transB", 1)) });
        string b = graph.Node("Tanh", new[] { graph.Node("Gemm", new[] { graph.Input, graph.Initializer(Weight, 3, 4) }, OnnxGraph.Int("transB", 1)) });
        var e = Assert.Throws<OnnxImportException>(() => Import(graph.Build(graph.Node("Concat", new[] { a, b }, OnnxGraph.Int("axis", 1)), 0, 6)));
        Assert.Contains("step 2 of the branches it joins is relu | tanh", e.Message);
    }

    private static string Import(ModelProto model) => OnnxImporter.Import(model, new OnnxImportOptions { SourceName = "m.onnx" });
}
