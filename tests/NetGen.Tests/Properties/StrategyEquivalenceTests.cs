using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using System.Text.Json.Nodes;
using NetGen.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.Properties;

/// <summary>
/// The vectorized strategy's generated loops sum each output exactly as the runtime's kernels do,
/// so the two strategies give the same bits, on every vector width: for random networks of every
/// op, and for linear layers whose sizes straddle each width's lanes, a panel (16 rows), a pass
/// of panels (64 rows) and a block of columns (32).
/// </summary>
public sealed class StrategyEquivalenceTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Random_networks_give_the_same_bits_vectorized_and_through_the_kernels(int seed)
    {
        var random = new RandomNetworks(seed * 7919);
        var networks = Enumerable.Range(0, 20).Select(_ => random.Next()).ToList();
        int checkedValues = AssertSameBits(networks.Select(n => n.Json).ToList(), networks.Select(n => n.InputSize).ToList(), random.Input);
        output.WriteLine($"{networks.Count} networks, {checkedValues} values equal; Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector128 {Vector128.IsHardwareAccelerated}");
    }

    [Fact]
    public void Layers_of_awkward_sizes_give_the_same_bits_vectorized_and_through_the_kernels()
    {
        var random = new Random(16);
        int[] rows = [1, 3, 15, 16, 17, 31, 48, 63, 64, 65, 100, 129];
        int[] columns = [1, 4, 7, 31, 32, 33, 64, 97, 300];
        var descriptions = new List<string>();
        var inputs = new List<int>();
        foreach (int m in rows)
        {
            foreach (int n in columns)
            {
                JsonArray Values(int count, double scale) => new(Enumerable.Range(0, count).Select(_ => (JsonNode)(float)(((random.NextDouble() * 2) - 1) * scale)).ToArray());
                double bound = 1 / Math.Sqrt(n);
                var layer = new JsonObject { ["op"] = "linear", ["out"] = m, ["weight"] = new JsonArray(Enumerable.Range(0, m).Select(_ => (JsonNode)Values(n, bound)).ToArray()) };
                if (random.Next(2) == 0)
                {
                    layer["bias"] = Values(m, bound);
                }

                descriptions.Add(new JsonObject { ["format"] = "netgen/1", ["input"] = n, ["layers"] = new JsonArray(layer) }.ToJsonString());
                inputs.Add(n);
            }
        }

        int checkedValues = AssertSameBits(descriptions, inputs, size => Enumerable.Range(0, size).Select(_ => (float)((random.NextDouble() * 6) - 3)).ToArray());
        output.WriteLine($"{descriptions.Count} layers, {checkedValues} values equal");
    }

    /// <summary>Compiles each description under both strategies and compares Forward and ForwardBatch bit for bit.</summary>
    private static int AssertSameBits(IReadOnlyList<string> descriptions, IReadOnlyList<int> inputSizes, Func<int, float[]> input)
    {
        static string With(string json, string strategy)
        {
            var node = JsonNode.Parse(json)!.AsObject();
            node["strategy"] = strategy;
            return node.ToJsonString();
        }

        var compiled = CompiledNetworks.Compile(descriptions.Select(d => With(d, "kernel")).Concat(descriptions.Select(d => With(d, "vectorized"))).ToList());
        Assert.Contains("Simd.MultiplyAdd(", compiled.Source);
        int values = 0;
        for (int i = 0; i < descriptions.Count; i++)
        {
            var kernel = compiled[i];
            var vectorized = compiled[descriptions.Count + i];
            const int Rows = 9;
            float[] x = input(inputSizes[i] * Rows);
            int outputSize = (int)compiled.Constant(i, "OutputSize");
            float[] expected = new float[outputSize];
            float[] actual = new float[outputSize];
            for (int r = 0; r < Rows; r++)
            {
                float[] row = x.AsSpan(r * inputSizes[i], inputSizes[i]).ToArray();
                kernel.Forward(row, expected);
                vectorized.Forward(row, actual);
                Assert.True(expected.SequenceEqual(actual), $"description {i}, row {r}: vectorized {string.Join(", ", actual)} but kernel {string.Join(", ", expected)}; {descriptions[i][..Math.Min(200, descriptions[i].Length)]}");
                values += outputSize;
            }

            float[] kernelBatch = new float[Rows * outputSize];
            float[] vectorizedBatch = new float[Rows * outputSize];
            kernel.ForwardBatch(x, kernelBatch);
            vectorized.ForwardBatch(x, vectorizedBatch);
            Assert.Equal(kernelBatch, vectorizedBatch);
        }

        return values;
    }
}
