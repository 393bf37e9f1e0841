using System;
using System.IO;
using System.Linq;
using NetGen.Onnx;
using NetGen.Onnx.Proto;
using Xunit;

namespace NetGen.Tests.Onnx;

/// <summary>What the importer says about models it cannot import: one line, naming the model, the node and what was expected.</summary>
public sealed class ImporterErrorTests
{
    [Fact]
    public void A_file_that_is_not_onnx_is_named_as_such()
    {
        var e = Assert.Throws<OnnxImportException>(() => OnnxImporter.ParseModel("{ \"format\": \"netgen/1\" }"u8.ToArray(), "lesson.onnx"));
        Assert.StartsWith("lesson.onnx: not an ONNX model", e.Message);

        e = Assert.Throws<OnnxImportException>(() => OnnxImporter.ParseModel(Array.Empty<byte>(), "empty.onnx"));
        Assert.Equal("empty.onnx: not an ONNX model (no graph with nodes and inputs)", e.Message);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        string path = Path.Combine(Path.GetTempPath(), "netgen-missing-" + Guid.NewGuid().ToString("N") + ".onnx");
        var e = Assert.Throws<OnnxImportException>(() => OnnxImporter.ImportFile(path));
        Assert.StartsWith(path + ": cannot read the file", e.Message);
    }

    [Fact]
    public void An_unsupported_op_names_the_op_the_node_and_the_supported_list()
    {
        var graph = new OnnxGraph(17, 0, 4);
        string y = graph.Node("Conv", new[] { graph.Input, graph.Initializer(new float[4], 1, 1, 4) });
        var e = Assert.Throws<OnnxImportException>(() => Import(graph.Build(y, 0, 4)));
        Assert.StartsWith("m.onnx: node 'conv2', Conv: unsupported op Conv; supported: Gemm, MatMul", e.Message);
        Assert.Equal("'conv2'", e.Node);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_feature_axis_of_unknown_size_is_an_error()
    {
        var graph = new OnnxGraph(17, 0, 0);
        string y = graph.Node("Relu", new[] { graph.Input });
        var e = Assert.Throws<OnnxImportException>(() => Import(graph.Build(y, 0, 0)));
        Assert.Equal("m.onnx: input 'x' has a feature (last) axis of unknown size (needed for 'relu1_out'); export the model with a fixed feature size", e.Message);
    }

    [Fact]
    public void A_linear_weight_fixes_an_unknown_feature_axis()
    {
        var graph = new OnnxGraph(17, 0, 0);
        string y = graph.Node("MatMul", new[] { graph.Input, graph.Initializer(new float[6], 3, 2) });
        Assert.Contains("\"input\": 3", Import(graph.Build(y, 0, 2)));
    }

    [Fact]
    public void A_weight_of_the_wrong_size_says_both_shapes()
    {
        var graph = new OnnxGraph(17, 0, 4);
        string y = graph.Node("Gemm", new[] { graph.Input, graph.Initializer(new float[6], 3, 2) });
        var e = Assert.Throws<OnnxImportException>(() => Import(graph.Build(y, 0, 2)));
        Assert.Equal("m.onnx: node 'gemm2', Gemm: the weight 'w1' of shape [3, 2] expects 3 input features; the input has shape [?, 4]", e.Message);
    }

    [Fact]
    public void A_branch_that_is_not_a_skip_connection_is_an_error()
    {
        var graph = new OnnxGraph(17, 0, 4);
        string a = graph.Node("Relu", new[] { graph.Input });
        string b = graph.Node("Tanh", new[] { graph.Input });
        var e = Assert.Throws<OnnxImportException>(() => Import(graph.Build(graph.Node("Add", new[] { a, b }), 0, 4)));
        Assert.Contains("node 'tanh2', Tanh: it reads 'x', which is not the latest layer's output", e.Message);
    }

    [Fact]
    public void A_branch_the_output_does_not_need_is_not_read()
    {
        var graph = new OnnxGraph(17, 0, 4);
        graph.Node("Softmax", new[] { graph.Input });
        string json = Import(graph.Build(graph.Node("Tanh", new[] { graph.Input }), 0, 4));
        Assert.Contains("{ \"op\": \"tanh\" }", json);
        Assert.DoesNotContain("softmax", json);
    }

    [Fact]
    public void A_second_input_the_output_does_not_read_is_dropped_and_named()
    {
        var graph = new OnnxGraph(17, 0, 4);
        var model = graph.Build(graph.Node("Relu", new[] { graph.Input }), 0, 4);
        model.Graph.Input.Add(model.Graph.Input[0].Clone());
        model.Graph.Input[1].Name = "h";
        Assert.Contains("inputs it does not read, dropped: \\u0027h\\u0027", Import(model));
    }

    [Fact]
    public void Two_inputs_that_meet_other_than_in_a_concat_are_an_error()
    {
        var graph = new OnnxGraph(17, 0, 4);
        var model = graph.Build(graph.Node("Add", new[] { graph.Node("Relu", new[] { graph.Input }), "h" }), 0, 4);
        model.Graph.Input.Add(model.Graph.Input[0].Clone());
        model.Graph.Input[1].Name = "h";
        var e = Assert.Throws<OnnxImportException>(() => Import(model));
        Assert.EndsWith("it adds tensors of the input 'x' before the inputs are joined by a Concat; NetGen reads only element-wise steps there", e.Message);
    }

    [Fact]
    public void Two_inputs_with_different_activations_before_their_concat_are_an_error()
    {
        var graph = new OnnxGraph(17, 0, 4);
        string x = graph.Node("Relu", new[] { graph.Input });
        string h = graph.Node("Tanh", new[] { "h" });
        var model = graph.Build(graph.Node("Concat", new[] { x, h }, OnnxGraph.Int("axis", 1)), 0, 8);
        model.Graph.Input.Add(model.Graph.Input[0].Clone());
        model.Graph.Input[1].Name = "h";
        var e = Assert.Throws<OnnxImportException>(() => Import(model));
        Assert.EndsWith("the input 'h' goes through tanh before the Concat, and 'x' through relu; NetGen joins inputs whose element-wise steps are the same (affine steps aside)", e.Message);
    }

    [Fact]
    public void A_softmax_over_another_axis_is_an_error()
    {
        var graph = new OnnxGraph(17, 2, 3, 4);
        string y = graph.Node("Softmax", new[] { graph.Input }, OnnxGraph.Int("axis", 1));
        var e = Assert.Throws<OnnxImportException>(() => Import(graph.Build(y, 2, 3, 4)));
        Assert.EndsWith("axis 1 of a rank-3 input is not the last axis; NetGen's softmax runs over the features", e.Message);
    }

    [Fact]
    public void A_softmax_before_opset_13_whose_flattened_axes_are_the_features_is_read()
    {
        // Opset 11 flattens [2, 1, 4] at axis 1 to [2, 1·4]: the softmax of the features.
        var graph = new OnnxGraph(11, 2, 1, 4);
        string y = graph.Node("Softmax", new[] { graph.Input }, OnnxGraph.Int("axis", 1));
        Assert.Contains("{ \"op\": \"softmax\" }", Import(graph.Build(y, 2, 1, 4)));
    }

    [Fact]
    public void An_affine_step_another_node_reads_under_another_name_is_not_merged_into_the_next()
    {
        // y = x − c; z = Identity(y); w = z / 2; out = y + w: y stays its own step, and the skip closes around w.
        var graph = new OnnxGraph(17, 0, 2);
        string y = graph.Node("Sub", new[] { graph.Input, graph.Initializer(new[] { 1f, 2f }, 2) });
        string w = graph.Node("Div", new[] { graph.Node("Identity", new[] { y }), graph.Initializer(new[] { 2f }) });
        string json = Import(graph.Build(graph.Node("Add", new[] { y, w }), 0, 2));
        Assert.Contains("\"op\": \"residual\"", json);
        Assert.Contains("\"scale\": 0.5", json);
    }

    [Fact]
    public void A_division_by_a_zero_constant_is_an_error()
    {
        var graph = new OnnxGraph(17, 0, 2);
        string y = graph.Node("Div", new[] { graph.Input, graph.Initializer(new[] { 2f, 0f }, 2) });
        var e = Assert.Throws<OnnxImportException>(() => Import(graph.Build(y, 0, 2)));
        Assert.EndsWith("its scale or shift is Infinity (a division by 0, or beyond float32); the format's affine takes finite numbers", e.Message);
    }

    [Fact]
    public void Arithmetic_with_a_constant_that_differs_per_sample_is_an_error()
    {
        var graph = new OnnxGraph(17, 3, 2);
        string y = graph.Node("Mul", new[] { graph.Input, graph.Initializer(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, 3, 2) });
        var e = Assert.Throws<OnnxImportException>(() => Import(graph.Build(y, 3, 2)));
        Assert.EndsWith("has shape [3, 2]; NetGen's affine takes one value, or one per feature (2), the same for every sample", e.Message);
    }

    [Fact]
    public void Unsqueeze_axes_outside_the_output_are_an_error()
    {
        var graph = new OnnxGraph(11, 0, 2);
        var axes = new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints };
        axes.Ints.Add(5);
        string y = graph.Node("Unsqueeze", new[] { graph.Input }, axes);
        var e = Assert.Throws<OnnxImportException>(() => Import(graph.Build(y, 0, 1, 2)));
        Assert.EndsWith("its axes [5] are not distinct axes of a rank-3 output", e.Message);
    }

    [Fact]
    public void Non_finite_weights_are_an_error()
    {
        var graph = new OnnxGraph(17, 0, 2);
        string y = graph.Node("MatMul", new[] { graph.Input, graph.Initializer(new[] { 1f, float.NaN, 0f, 1f }, 2, 2) });
        var e = Assert.Throws<OnnxImportException>(() => Import(graph.Build(y, 0, 2)));
        Assert.Equal("m.onnx: tensor 'w1' holds NaN; every weight must be a finite float32", e.Message);
    }

    [Fact]
    public void Raw_and_double_tensor_data_are_read()
    {
        var graph = new OnnxGraph(17, 0, 2);
        string w = graph.Initializer(Array.Empty<float>(), 2, 2);
        string y = graph.Node("MatMul", new[] { graph.Input, w });
        var model = graph.Build(y, 0, 2);
        var tensor = model.Graph.Initializer.Single();
        tensor.DataType = (int)TensorProto.Types.DataType.Double;
        tensor.DoubleData.AddRange(new[] { 1.0, 2.0, 3.0, 4.0 });
        Assert.Contains("\"weight\": [[1, 3], [2, 4]]", Import(model));

        tensor.DoubleData.Clear();
        tensor.DataType = (int)TensorProto.Types.DataType.Float;
        tensor.RawData = Google.Protobuf.ByteString.CopyFrom(new[] { 1f, 2f, 3f, 4f }.SelectMany(BitConverter.GetBytes).ToArray());
        Assert.Contains("\"weight\": [[1, 3], [2, 4]]", Import(model));
    }

    [Fact]
    public void Imported_descriptions_are_deterministic_and_round_trip_every_float()
    {
        var graph = new OnnxGraph(17, 0, 3);
        float[] values = { 0.1f, -1e-7f, 3.4028235e38f, 1f / 3, float.Epsilon, -0f };
        string y = graph.Node("MatMul", new[] { graph.Input, graph.Initializer(values, 3, 2) });
        string json = Import(graph.Build(y, 0, 2));
        Assert.Equal(json, Import(graph.Build(y, 0, 2)));
        Assert.Contains("[[0.1, 3.4028235E+38, 1E-45], [-1E-07, 0.33333334, -0]]", json);
    }

    private static string Import(ModelProto model) => OnnxImporter.Import(model, new OnnxImportOptions { SourceName = "m.onnx" });
}
