using System;
using System.Linq;
using System.Text.Json.Nodes;
using NetGen.Tests.Reference;
using NetGen.Tests.Harness;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>
/// Scratch memory is reused once a tensor is dead, but an activation fused into a linear layer
/// is written while the layer still reads its input: the two must never share memory. (The GPU
/// tests found this: a norm's output, dead after the linear layer, was handed to the fused ReLU.)
/// </summary>
public sealed class ScratchReuseTests
{
    [Theory]
    [InlineData("unrolled")]
    [InlineData("kernel")]
    [InlineData("vectorized")]
    public void A_fused_activation_never_overwrites_the_linear_layers_input(string strategy)
    {
        var random = new Random(3);
        JsonArray Values(int count) => new(Enumerable.Range(0, count).Select(_ => (JsonNode)(float)((random.NextDouble() * 2) - 1)).ToArray());
        JsonArray Matrix(int rows, int columns) => new(Enumerable.Range(0, rows).Select(_ => (JsonNode)Values(columns)).ToArray());

        // rms_norm writes 40 floats of scratch; the 40→5 layer's ReLU (5 floats) fits where they were.
        string json = new JsonObject
        {
            ["format"] = "netgen/1",
            ["strategy"] = strategy,
            ["input"] = 40,
            ["layers"] = new JsonArray(
                new JsonObject { ["op"] = "rms_norm" },
                new JsonObject { ["op"] = "linear", ["out"] = 5, ["weight"] = Matrix(5, 40), ["bias"] = Values(5), ["activation"] = "relu" },
                new JsonObject { ["op"] = "sigmoid" }),
        }.ToJsonString();

        var network = CompiledNetworks.Compile(new[] { json })[0];
        var reference = new ReferenceNetwork(json);
        float[] inputs = Enumerable.Range(0, 3 * 40).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
        float[] batch = new float[3 * 5];
        network.ForwardBatch(inputs, batch);
        for (int row = 0; row < 3; row++)
        {
            float[] x = inputs.AsSpan(row * 40, 40).ToArray();
            float[] y = new float[5];
            network.Forward(x, y);
            double[] expected = reference.Evaluate(x, new());
            Accuracy.Compare(expected, y, $"{strategy}, Forward, row {row}");
            Accuracy.Compare(expected, batch.AsSpan(row * 5, 5).ToArray(), $"{strategy}, ForwardBatch, row {row}");
        }
    }
}
