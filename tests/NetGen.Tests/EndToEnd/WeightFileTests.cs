using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json.Nodes;
using NetGen.Runtime;
using NetGen.Tests.Reference;
using NetGen.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.EndToEnd;

/// <summary>
/// The format's <c>"file"</c> tensors: raw float32 beside the description, embedded by the build
/// (the <c>NetGenWeights</c> item) and read by the generated code from the assembly's resources.
/// </summary>
public sealed class WeightFileTests(ITestOutputHelper output)
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Networks");

    /// <summary>The resource this project's build gives Networks/external.weights.bin.</summary>
    private const string Resource = "NetGen.Weights/Networks/external.weights.bin";

    [Fact]
    public void The_build_embeds_the_weight_file_and_External_agrees_with_the_float64_reference()
    {
        byte[] file = File.ReadAllBytes(Path.Combine(Folder, "external.weights.bin"));
        using (Stream embedded = typeof(External).Assembly.GetManifestResourceStream(Resource)!)
        {
            Assert.NotNull(embedded);
            Assert.Equal(file.Length, embedded.Length);
        }

        string inline = Inline(File.ReadAllText(Path.Combine(Folder, "external.netgen.json")), file);
        var reference = new ReferenceNetwork(inline);
        var random = new Random(11);
        double worst = 0;
        var y = new float[External.OutputSize];
        for (int k = 0; k < 20; k++)
        {
            float[] x = Enumerable.Range(0, External.InputSize).Select(_ => (float)((random.NextDouble() * 6) - 3)).ToArray();
            External.Forward(x, y);
            worst = Math.Max(worst, Accuracy.Compare(reference.Evaluate(x, new()), y, $"input {k}"));
        }

        output.WriteLine($"worst error {worst:E2} of the bound's 1e-5·(1+|ref|)");
    }

    [Fact]
    public void External_gives_the_same_bits_as_the_same_network_written_inline()
    {
        byte[] file = File.ReadAllBytes(Path.Combine(Folder, "external.weights.bin"));
        string inline = Inline(File.ReadAllText(Path.Combine(Folder, "external.netgen.json")), file);
        var twin = CompiledNetworks.Compile([inline])[0];

        var random = new Random(5);
        const int Rows = 70;
        float[] inputs = Enumerable.Range(0, Rows * External.InputSize).Select(_ => (float)((random.NextDouble() * 6) - 3)).ToArray();
        float[] expected = new float[Rows * External.OutputSize];
        twin.ForwardBatch(inputs, expected);
        float[] actual = new float[Rows * External.OutputSize];
        External.ForwardBatch(inputs, actual);
        Assert.Equal(expected, actual);

        for (int r = 0; r < Rows; r += 13)
        {
            float[] x = inputs.AsSpan(r * External.InputSize, External.InputSize).ToArray();
            float[] one = new float[External.OutputSize];
            var cache = new External.Cache();
            External.Forward(x, one, ref cache);
            Assert.Equal(expected.AsSpan(r * External.OutputSize, External.OutputSize).ToArray(), one);
        }
    }

    /// <remarks>
    /// The warm-up opens the weights and lets tiered compilation reach optimized code: its first
    /// tier reads the one inline bias through a small allocation per call (see the README).
    /// </remarks>
    [Fact]
    public void External_allocates_nothing_per_call_once_its_weights_are_open()
    {
        float[] x = new float[External.InputSize];
        float[] y = new float[External.OutputSize];
        float[] xs = new float[8 * External.InputSize];
        float[] ys = new float[8 * External.OutputSize];
        Assert.Equal(0, Allocations.Steady(() =>
        {
            External.Forward(x, y);
            External.ForwardBatch(xs, ys);
        }));
    }

    [Fact]
    public void EmbeddedTensor_reads_an_aligned_tensor_in_place_and_copies_a_misaligned_one()
    {
        byte[] file = File.ReadAllBytes(Path.Combine(Folder, "external.weights.bin"));
        Assembly assembly = typeof(External).Assembly;

        var aligned = new EmbeddedTensor(assembly, Resource, 324, 300 * 40);
        Assert.False(aligned.IsMapped); // nothing is read before first use
        Assert.Equal(Floats(file, 324, 300 * 40), aligned.Values.ToArray());
        Assert.True(aligned.IsMapped);

        var misaligned = new EmbeddedTensor(assembly, Resource, 2, 40);
        Assert.Equal(Floats(file, 2, 40), misaligned.Values.ToArray());
        Assert.False(misaligned.IsMapped);

        float[] packed = new float[PackedLinear.PackedLength(300, 40)];
        PackedLinear.Pack(Floats(file, 324, 300 * 40), 300, 40, packed);
        Assert.Equal(packed, aligned.Packed(300, 40).ToArray());
        Assert.True(aligned.Packed(300, 40) == aligned.Packed(300, 40)); // packed once, then the same memory
    }

    [Fact]
    public void EmbeddedTensor_names_the_resource_when_it_is_missing_or_short_and_the_size_when_the_shape_is_wrong()
    {
        Assembly assembly = typeof(External).Assembly;
        var missing = new EmbeddedTensor(assembly, "NetGen.Weights/none.bin", 0, 4);
        var e = Assert.Throws<InvalidOperationException>(() => missing.Values.Length);
        Assert.Contains("has no resource \"NetGen.Weights/none.bin\"", e.Message);

        var longer = new EmbeddedTensor(assembly, Resource, 290_000, 1_000);
        e = Assert.Throws<InvalidOperationException>(() => longer.Values.Length);
        Assert.Contains("has 293124 bytes; the tensor needs 294000", e.Message);

        var tensor = new EmbeddedTensor(assembly, Resource, 0, 12);
        var wrong = Assert.Throws<ArgumentException>(() => tensor.Packed(5, 3).Length);
        Assert.Contains("A [5, 3] matrix has 15 values; this tensor has 12", wrong.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddedTensor(assembly, Resource, -1, 1));
    }

    /// <summary>
    /// Random networks of every op with their tensors moved into a weight file (all but
    /// batch_norm's, which is folded at build time), at offsets aligned and not: the same bits
    /// as the networks written inline, through Forward, the Cache and ForwardBatch.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Random_networks_with_their_weights_in_files_give_the_same_bits_as_inline(int seed)
    {
        const int Count = 24;
        var random = new RandomNetworks(seed * 104729);
        var placement = new Random(seed);
        var inline = new List<string>();
        var external = new List<string>();
        var files = new List<byte[]?>();
        (int Aligned, int Misaligned) tensors = (0, 0);
        for (int i = 0; i < Count; i++)
        {
            // Both forms call the kernels: a file's layer is never unrolled, and the bits must match.
            var node = JsonNode.Parse(random.Next().Json)!.AsObject();
            node["strategy"] = "kernel";
            inline.Add(node.ToJsonString());
            var (json, bytes) = Externalize(node, $"weights{Count + i}.bin", placement, ref tensors);
            external.Add(json);
            files.Add(bytes);
        }

        var compiled = CompiledNetworks.Compile(inline.Concat(external).ToList(), weightFiles: Enumerable.Repeat<byte[]?>(null, Count).Concat(files).ToList());
        Assert.Contains("EmbeddedTensor", compiled.Source);
        for (int i = 0; i < Count; i++)
        {
            var reference = new ReferenceNetwork(inline[i]);
            var (expected, actual) = (compiled[i], compiled[Count + i]);
            int outputSize = reference.Evaluate(new float[reference.InputSize], new()).Length;
            for (int k = 0; k < 3; k++)
            {
                float[] x = random.Input(reference.InputSize);
                var expectedCache = expected.ForwardCache(x, new float[outputSize]);
                var actualCache = actual.ForwardCache(x, new float[outputSize]);
                Assert.Equal(expectedCache.Select(f => f.Name), actualCache.Select(f => f.Name));
                for (int t = 0; t < expectedCache.Count; t++)
                {
                    Assert.Equal(expectedCache[t].Values, actualCache[t].Values);
                }
            }

            float[] rows = Enumerable.Range(0, 9).SelectMany(_ => random.Input(reference.InputSize)).ToArray();
            float[] a = new float[9 * outputSize], b = new float[9 * outputSize];
            expected.ForwardBatch(rows, a);
            actual.ForwardBatch(rows, b);
            Assert.Equal(a, b);
        }

        output.WriteLine($"{Count} networks with weight files: {tensors.Aligned} tensors read in place, {tensors.Misaligned} copied (offsets not a multiple of 4)");
    }

    private static float[] Floats(byte[] bytes, int offset, int count)
    {
        var values = new float[count];
        Buffer.BlockCopy(bytes, offset, values, 0, count * 4);
        return values;
    }

    /// <summary>A description with every <c>"file"</c> tensor replaced by its values in base64.</summary>
    internal static string Inline(string json, byte[] file)
    {
        var root = JsonNode.Parse(json)!;
        foreach (JsonObject tensor in Tensors(root).Where(t => t["file"] is not null).ToList())
        {
            int[] shape = tensor["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray();
            float[] values = Floats(file, tensor["offset"]!.GetValue<int>(), shape.Aggregate(1, (p, d) => p * d));
            tensor.Remove("file");
            tensor.Remove("offset");
            tensor["base64"] = JsonTensors.Base64(shape, values)["base64"]!.GetValue<string>();
        }

        return root.ToJsonString();
    }

    /// <summary>
    /// Moves every tensor of a description but batch_norm's into one file, half of them after 1
    /// to 3 bytes of padding, so some are read in place and some are copied.
    /// </summary>
    private static (string Json, byte[] File) Externalize(JsonObject description, string fileName, Random random, ref (int Aligned, int Misaligned) tensors)
    {
        var root = description.DeepClone();
        var file = new MemoryStream();
        foreach (var layer in Layers(root).Where(l => l["op"]!.GetValue<string>() != "batch_norm"))
        {
            foreach (string key in new[] { "weight", "bias", "gate", "up", "down" })
            {
                if (layer[key] is not { } tensor)
                {
                    continue;
                }

                var (shape, values) = Decode(tensor);
                file.Write(new byte[random.Next(2) == 0 ? 0 : random.Next(1, 4)]);
                long offset = file.Length;
                tensors = offset % 4 == 0 ? (tensors.Aligned + 1, tensors.Misaligned) : (tensors.Aligned, tensors.Misaligned + 1);
                var bytes = new byte[values.Length * 4];
                Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
                file.Write(bytes);
                layer[key] = new JsonObject
                {
                    ["shape"] = new JsonArray(shape.Select(d => (JsonNode)d).ToArray()),
                    ["dtype"] = "f32",
                    ["file"] = fileName,
                    ["offset"] = offset,
                };
            }
        }

        return (root.ToJsonString(), file.ToArray());
    }

    private static (int[] Shape, float[] Values) Decode(JsonNode tensor)
    {
        if (tensor is JsonObject encoded)
        {
            int[] shape = encoded["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray();
            byte[] bytes = Convert.FromBase64String(encoded["base64"]!.GetValue<string>());
            var values = new float[bytes.Length / 4];
            Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
            return (shape, values);
        }

        var array = tensor.AsArray();
        if (array.Count > 0 && array[0] is JsonArray)
        {
            float[][] rows = array.Select(r => r!.AsArray().Select(v => (float)v!.GetValue<double>()).ToArray()).ToArray();
            return (new[] { rows.Length, rows[0].Length }, rows.SelectMany(r => r).ToArray());
        }

        return (new[] { array.Count }, array.Select(v => (float)v!.GetValue<double>()).ToArray());
    }

    private static IEnumerable<JsonObject> Layers(JsonNode root)
    {
        foreach (var layer in root["layers"]!.AsArray().Select(l => l!.AsObject()))
        {
            yield return layer;
            if (layer["layers"] is JsonArray)
            {
                foreach (var inner in Layers(layer))
                {
                    yield return inner;
                }
            }
        }
    }

    private static IEnumerable<JsonObject> Tensors(JsonNode root) =>
        Layers(root).SelectMany(l => l.Where(p => p.Value is JsonObject).Select(p => p.Value!.AsObject()));
}
