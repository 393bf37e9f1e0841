using System;
using System.Linq;
using System.Text.Json.Nodes;
using NetGen.Tests.Harness;
using Xunit;

namespace NetGen.Tests.Properties;

/// <summary>Networks too large for the property generator's budget, compiled in memory.</summary>
public sealed class WideNetworkTests
{
    [Fact]
    public void Mlp_784_128_64_10_counts_109386_parameters_and_its_softmax_sums_to_1()
    {
        var random = new Random(784);
        string json = Mlp(random, [784, 128, 64, 10], ["relu", "relu", "softmax"]);
        var compiled = CompiledNetworks.Compile([json]);
        var network = compiled[0];
        var reference = new Reference.ReferenceNetwork(json);

        Assert.Equal(109_386, compiled.Constant(0, "ParameterCount"));
        for (int k = 0; k < 5; k++)
        {
            float[] x = Enumerable.Range(0, 784).Select(_ => (float)random.NextDouble()).ToArray();
            float[] y = new float[10];
            network.Forward(x, y);
            Assert.Equal(1.0, y.Sum(v => (double)v), 5);
            Accuracy.Compare(reference.Evaluate(x, new()), y, "784-128-64-10");
        }
    }

    [Fact]
    public void A_network_wider_than_the_stack_limit_uses_thread_scratch_and_stays_correct()
    {
        // Two 12,000-wide tensors live at once: more scratch than Scratch.StackLimit floats.
        var random = new Random(12_000);
        string json = Mlp(random, [2, 12_000, 1], ["tanh", "sigmoid"]);
        var compiled = CompiledNetworks.Compile([json]);
        Assert.Contains("Scratch.ForThread", compiled.Source);
        var reference = new Reference.ReferenceNetwork(json);
        float[] y = new float[1];
        compiled[0].Forward([0.5f, -2f], y);
        Accuracy.Compare(reference.Evaluate([0.5f, -2f], new()), y, "2-12000-1");
    }

    /// <summary>A linear stack with PyTorch's default initialization, weights as base64.</summary>
    private static string Mlp(Random random, int[] sizes, string[] activations)
    {
        var layers = new JsonArray();
        for (int i = 0; i + 1 < sizes.Length; i++)
        {
            float bound = 1f / MathF.Sqrt(sizes[i]);
            layers.Add(new JsonObject
            {
                ["op"] = "linear",
                ["out"] = sizes[i + 1],
                ["weight"] = Base64(random, [sizes[i + 1], sizes[i]], bound),
                ["bias"] = Base64(random, [sizes[i + 1]], bound),
                ["activation"] = activations[i],
            });
        }

        return new JsonObject { ["format"] = "netgen/1", ["input"] = sizes[0], ["layers"] = layers }.ToJsonString();
    }

    private static JsonObject Base64(Random random, int[] shape, float bound)
    {
        float[] values = Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b))
            .Select(_ => (float)((random.NextDouble() * 2) - 1) * bound).ToArray();
        return JsonTensors.Base64(shape, values);
    }
}
