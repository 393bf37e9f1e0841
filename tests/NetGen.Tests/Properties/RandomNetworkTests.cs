using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.Intrinsics;
using System.Text.Json.Nodes;
using NetGen.Tests.Reference;
using NetGen.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.Properties;

/// <summary>
/// Property tests: random networks of every op, compiled and run, agree with the float64
/// reference within the format's bound, 1e-5·(1 + |reference|) per element, for Forward,
/// every Cache field, and ForwardBatch. The suite runs on each vector width in CI.
/// </summary>
public sealed class RandomNetworkTests(ITestOutputHelper output)
{
    private const int NetworksPerCompilation = 40;

    /// <summary>Rows of the batch run on two threads: two shares of at least <c>ParallelBatch.MinimumRowsPerThread</c>.</summary>
    private const int ParallelRows = 40;
    private const int InputsPerNetwork = 4;
    private const int BatchRows = 5;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Random_networks_agree_with_the_float64_reference(int seed) => Check(seed, unity: false);

    /// <summary>
    /// The same as Unity compiles them: C# 9 (a Cache of arrays, weights in static arrays, no
    /// vectorized loops) against the runtime's netstandard2.1 build, whose kernels use
    /// <c>Vector&lt;T&gt;</c>, run here on this process's vector width.
    /// </summary>
    [Theory]
    [InlineData(6)]
    [InlineData(7)]
    public void Random_networks_in_CSharp_9_on_the_netstandard2_1_runtime_agree_with_the_float64_reference(int seed) => Check(seed, unity: true);

    /// <summary>
    /// The generator reaches every op of the format within the networks these tests compile (the
    /// first seed's 200), except argmax, whose indices jump where two values tie: it is tested on
    /// hand-made heads instead (<c>MaskAndArgMaxTests</c>).
    /// </summary>
    [Fact]
    public void The_random_networks_cover_every_op_of_the_format()
    {
        var random = new RandomNetworks(7919);
        var ops = new HashSet<string>(StringComparer.Ordinal);
        void Collect(JsonNode? node)
        {
            if (node is JsonObject obj)
            {
                if (obj["op"] is JsonValue op)
                {
                    ops.Add((string)op!);
                }

                if (obj["activation"] is JsonValue activation)
                {
                    ops.Add((string)activation!);
                }

                foreach (var child in obj)
                {
                    Collect(child.Value);
                }
            }
            else if (node is JsonArray array)
            {
                foreach (var item in array)
                {
                    Collect(item);
                }
            }
        }

        for (int i = 0; i < 200; i++)
        {
            Collect(JsonNode.Parse(random.Next().Json));
        }

        var expected = NetGen.Generator.Model.Ops.Layers.Select(l => l.JsonName).Where(op => op != "argmax");
        Assert.Empty(expected.Except(ops));
    }

    private void Check(int seed, bool unity)
    {
        var random = new RandomNetworks(seed * 7919);
        var networks = Enumerable.Range(0, NetworksPerCompilation).Select(_ => random.Next()).ToList();
        var compiled = CompiledNetworks.Compile(networks.Select(n => n.Json).ToList(), unity: unity);

        double worst = 0;
        int cases = 0;
        for (int i = 0; i < networks.Count; i++)
        {
            var (json, inputSize) = networks[i];
            var reference = new ReferenceNetwork(json);
            var network = compiled[i];
            string context = $"seed {seed}, network {i}: {Abbreviate(json)}";

            for (int k = 0; k < InputsPerNetwork; k++)
            {
                float[] x = random.Input(inputSize);
                var expectedTensors = new List<(string Name, double[] Values)>();
                double[] expected = reference.Evaluate(x, expectedTensors);

                float[] y = new float[expected.Length];
                network.Forward(x, y);
                worst = Math.Max(worst, Accuracy.Compare(expected, y, context + " / Forward"));

                float[] yCached = new float[expected.Length];
                var fields = network.ForwardCache(x, yCached);
                Assert.True(y.AsSpan().SequenceEqual(yCached), $"{context}: Forward gives [{string.Join(", ", y.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}], Forward with a Cache [{string.Join(", ", yCached.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}]");
                Assert.Equal(expectedTensors.Select(t => t.Name), fields.Select(f => f.Name));
                for (int t = 0; t < fields.Count; t++)
                {
                    worst = Math.Max(worst, Accuracy.Compare(expectedTensors[t].Values, fields[t].Values, $"{context} / Cache.{fields[t].Name}"));
                }

                cases++;
            }

            // A batch gives, row by row, what Forward gives.
            float[][] rows = Enumerable.Range(0, BatchRows).Select(_ => random.Input(inputSize)).ToArray();
            float[] outputs = new float[BatchRows * (int)reference.Evaluate(rows[0], new()).Length];
            network.ForwardBatch(rows.SelectMany(r => r).ToArray(), outputs);
            int outputSize = outputs.Length / BatchRows;
            for (int r = 0; r < BatchRows; r++)
            {
                float[] single = new float[outputSize];
                network.Forward(rows[r], single);
                Assert.Equal(single, outputs.AsSpan(r * outputSize, outputSize).ToArray());
                worst = Math.Max(worst, Accuracy.Compare(reference.Evaluate(rows[r], new()), single, context + " / ForwardBatch"));
            }

            cases += BatchRows;

            // Split across two threads (40 rows: shares of 24 and 16), the same bits.
            float[] wide = random.Input(ParallelRows * inputSize);
            float[] alone = new float[ParallelRows * outputSize];
            float[] split = new float[ParallelRows * outputSize];
            network.ForwardBatch(wide, alone);
            network.ForwardBatchParallel(wide, split);
            Assert.True(alone.AsSpan().SequenceEqual(split), $"{context}: ForwardBatch on two threads differs from ForwardBatch");
        }

        output.WriteLine($"{networks.Count} networks, {cases} cases, worst error {worst:E2} of the bound's 1e-5·(1+|ref|); " +
            $"Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector128 {Vector128.IsHardwareAccelerated}");
    }

    private static string Abbreviate(string json) => json.Length <= 300 ? json : json[..300] + "...";
}
