using System;
using System.Linq;
using System.Text.Json.Nodes;

namespace NetGen.Tests.Harness;

/// <summary>Tensors written as a description writes them.</summary>
internal static class JsonTensors
{
    /// <summary>The compact tensor encoding: row-major little-endian float32 bytes in base64.</summary>
    public static JsonObject Base64(int[] shape, float[] values)
    {
        byte[] bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return new JsonObject
        {
            ["shape"] = new JsonArray(shape.Select(d => (JsonNode)d).ToArray()),
            ["dtype"] = "f32",
            ["base64"] = Convert.ToBase64String(bytes),
        };
    }
}
