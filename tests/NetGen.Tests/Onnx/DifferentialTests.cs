using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NetGen.Onnx;
using NetGen.Onnx.Proto;
using NetGen.Tests.Harness;
using Xunit;

namespace NetGen.Tests.Onnx;

/// <summary>
/// Imported models against the runtimes they come from: random ONNX models run by ONNX Runtime
/// 1.31.1, and models exported by PyTorch against PyTorch's own outputs.
/// </summary>
public sealed class DifferentialTests
{
    private const int Networks = 60;
    private const int Rows = 5;

    /// <summary>
    /// Random models of every supported op, run by ONNX Runtime and by NetGen (imported,
    /// generated, compiled), agree within the format's bound on every output of every row.
    /// </summary>
    [Fact]
    public void Random_models_agree_with_onnx_runtime()
    {
        var random = new RandomOnnxNetworks(seed: 1124);
        var models = Enumerable.Range(0, Networks).Select(_ => random.Next()).ToList();
        var descriptions = models.Select((m, i) => OnnxImporter.Import(m.Model, new OnnxImportOptions { SourceName = $"random{i}.onnx" })).ToList();
        var compiled = CompiledNetworks.Compile(descriptions);

        for (int i = 0; i < models.Count; i++)
        {
            var (model, inputSize) = models[i];
            float[] x = random.Input(Rows * inputSize);
            float[] expected = RunOnnxRuntime(model, x, [Rows, inputSize]);
            var y = new float[expected.Length];
            compiled[i].ForwardBatch(x, y);
            AssertWithinBound(expected, y, $"random model {i}: {string.Join(" ", model.Graph.Node.Select(n => n.OpType))}");
        }
    }

    /// <summary>Models as <c>torch.onnx.export</c> writes them (opset 17, dynamic batch axis) import as they are and give PyTorch's outputs.</summary>
    [Theory]
    [InlineData("torch-block.onnx", new[] { 8, 3, 4 })]
    [InlineData("torch-sequence.onnx", new[] { 2, 3, 6 })]
    public void Pytorch_exports_import_as_they_are_and_give_pytorchs_outputs(string file, int[] shape)
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "Onnx", "Models");
        string json = OnnxImporter.ImportFile(Path.Combine(folder, file));
        var compiled = CompiledNetworks.Compile([json]);

        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "torch-expected.json")));
        var data = document.RootElement.GetProperty("models").GetProperty(file);
        float[] x = Flatten(data.GetProperty("input"));
        float[] expected = Flatten(data.GetProperty("output"));
        var y = new float[expected.Length];
        compiled[0].ForwardBatch(x, y);
        AssertWithinBound(expected, y, file);

        // And ONNX Runtime agrees on the same file.
        var model = OnnxImporter.ReadModel(Path.Combine(folder, file));
        AssertWithinBound(RunOnnxRuntime(model, x, shape), y, file + " (ONNX Runtime)");
    }

    /// <summary>
    /// Shape plumbing as opset 9 exports it (<c>x.view(x.size(0), -1)</c> as Shape, Gather,
    /// Unsqueeze, Concat, Reshape; an unsqueeze and squeeze of a batch axis): folded and removed,
    /// leaving the two linear layers, which agree with ONNX Runtime.
    /// </summary>
    [Fact]
    public void Shape_plumbing_that_keeps_the_features_is_removed()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Onnx", "Models", "torch-plumbing-opset9.onnx");
        string json = OnnxImporter.ImportFile(path);
        Assert.Equal(3, JsonDocument.Parse(json).RootElement.GetProperty("layers").GetArrayLength());
        var compiled = CompiledNetworks.Compile([json]);
        float[] x = new RandomOnnxNetworks(seed: 9).Input(Rows * 6);
        var y = new float[Rows * 3];
        compiled[0].ForwardBatch(x, y);
        AssertWithinBound(RunOnnxRuntime(OnnxImporter.ReadModel(path), x, [Rows, 6]), y, "torch-plumbing-opset9.onnx");
    }

    internal static float[] RunOnnxRuntime(ModelProto model, float[] x, int[] shape)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model.ToByteArray(), options);
        var tensor = new DenseTensor<float>(x, shape);
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), tensor) });
        return results.First().AsEnumerable<float>().ToArray();
    }

    internal static void AssertWithinBound(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            double bound = 1e-5 * (1 + Math.Abs(expected[i]));
            Assert.True(Math.Abs(actual[i] - expected[i]) <= bound, $"{what}: output {i} is {actual[i]:R}, expected {expected[i]:R} (bound {bound:G3})");
        }
    }

    private static float[] Flatten(JsonElement element) =>
        element.ValueKind == JsonValueKind.Array
            ? element.EnumerateArray().SelectMany(Flatten).ToArray()
            : new[] { element.GetSingle() };
}
