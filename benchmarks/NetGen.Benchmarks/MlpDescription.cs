using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace NetGen.Benchmarks;

/// <summary>One linear layer of a benchmark network, with the activation that follows it.</summary>
public sealed record MlpLayer(int In, int Out, float[] Weight, float[] Bias, string Activation);

/// <summary>
/// Reads the stacks of linear layers and activations the benchmarks use from a netgen/1
/// description (arrays or base64 tensors), so every engine runs the same weights.
/// </summary>
public static class MlpDescription
{
    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "Networks", file);

    public static IReadOnlyList<MlpLayer> Load(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(PathOf(file)));
        int size = document.RootElement.GetProperty("input").GetInt32();
        var layers = new List<MlpLayer>();
        foreach (JsonElement layer in document.RootElement.GetProperty("layers").EnumerateArray())
        {
            string op = layer.GetProperty("op").GetString()!;
            if (op != "linear")
            {
                layers[^1] = layers[^1] with { Activation = op };
                continue;
            }

            int output = layer.GetProperty("out").GetInt32();
            float[] weight = Tensor(layer.GetProperty("weight"));
            float[] bias = layer.TryGetProperty("bias", out var b) ? Tensor(b) : new float[output];
            string activation = layer.TryGetProperty("activation", out var a) ? a.GetString()! : "identity";
            layers.Add(new MlpLayer(size, output, weight, bias, activation));
            size = output;
        }

        return layers;
    }

    private static float[] Tensor(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            byte[] bytes = Convert.FromBase64String(element.GetProperty("base64").GetString()!);
            var values = new float[bytes.Length / 4];
            Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
            return values;
        }

        return element.EnumerateArray()
            .SelectMany(v => v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(x => x.GetSingle()) : new[] { v.GetSingle() })
            .ToArray();
    }
}
