using System;
using System.Linq;
using NetGen.Tests.Harness;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>The attribute form compiles to exactly what the JSON form does.</summary>
public sealed class AttributeFormTests
{
    [Fact]
    public void The_lesson_in_attributes_gives_the_lessons_numbers()
    {
        Span<float> output = stackalloc float[1];
        var cache = new LessonAttributes.Cache();
        LessonAttributes.Forward([3f, 1f], output, ref cache);

        Assert.Equal(0.9526, output[0], 4);
        Assert.Equal(14, LessonAttributes.ParameterCount);
        Assert.Equal([3f, 1f, -2f], ((ReadOnlySpan<float>)cache.Z1).ToArray());
        Assert.Equal([3f, 1f, 0f], ((ReadOnlySpan<float>)cache.A1).ToArray());
        Assert.Equal([2f, 1f], ((ReadOnlySpan<float>)cache.Z2).ToArray());
        Assert.Equal([3f], ((ReadOnlySpan<float>)cache.Z3).ToArray());
    }

    [Fact]
    public void Named_attribute_layers_name_their_cache_fields()
    {
        Span<float> output = stackalloc float[1];
        var cache = new ReluBiasAttributes.Cache();
        ReluBiasAttributes.Forward([1f, 1f], output, ref cache);

        Assert.Equal(1f, output[0]);
        Assert.Equal([2f, 0f], ((ReadOnlySpan<float>)cache.hidden).ToArray());
        Assert.Equal([2f, 0f], ((ReadOnlySpan<float>)cache.active).ToArray());
        Assert.Equal(1f, cache.result[0]);
    }

    [Fact]
    public void Layer_attributes_are_not_kept_in_the_compiled_assembly()
    {
        Assert.Empty(typeof(LessonAttributes).GetCustomAttributes(inherit: false).OfType<LayerAttribute>());
        Assert.Single(typeof(LessonAttributes).GetCustomAttributes(inherit: false).OfType<NetworkAttribute>());
    }

    /// <summary>Every op of block.netgen.json, written as attributes.</summary>
    private const string BlockInAttributes = """
        using NetGen;

        [Network("block.netgen.json")]
        public static partial class FromJson;

        [Network(input: 4)]
        [Linear(6, "0.5 -0.25 0.125 1; -1 0.5 0.75 0; 0.25 0.25 -0.5 0.5; 1 -1 0 0.5; 0 0.5 1 -0.75; -0.5 0 0.25 1",
            Bias = "0.1 -0.2 0 0.3 -0.1 0.05", Activation = Activation.Gelu, Name = "embed")]
        [Residual(Name = "attn_like")]
            [LayerNorm(Weight = "1 0.9 1.1 1 0.8 1.2", Bias = "0 0.1 -0.1 0 0.05 -0.05", Name = "ln1")]
            [Linear(6, "1 0 0 0 0 0; 0 1 0 0 0 0; 0 0 1 0 0 0; 0 0 0 1 0 0; 0 0 0 0 1 0; 0 0 0 0 0 1", Activation = Activation.Tanh)]
        [EndResidual]
        [Residual(Name = "ffn")]
            [RmsNorm(Weight = "1 1 1 1 1 1", Name = "rms")]
            [SwiGlu(3,
                gate: "0.5 0 -0.5 0.25 0 0.1; 0 1 0 -0.25 0.5 0; -0.5 0.5 0.5 0 0 0.2",
                up: "1 0 0 0 0 0.5; 0 0 1 0 -1 0; 0.25 0.25 0.25 0.25 0.25 0.25",
                down: "1 0 0; 0 1 0; 0 0 1; 1 1 0; 0 1 1; 1 0 1", Name = "glu")]
        [EndResidual]
        [BatchNorm("0.1 0 -0.1 0.2 0 0", "1 0.5 2 1 1 0.25", Weight = "1 1 1 1 1 1", Bias = "0 0 0 0 0 0", Name = "bn")]
        [Dropout(P = 0.1f)]
        [LeakyRelu(Alpha = 0.1f)]
        [Linear(3, "1 0 -1 0 1 0; 0 1 0 -1 0 1; 0.5 0.5 0.5 0.5 0.5 0.5", Activation = Activation.LogSoftmax, Name = "head")]
        public static partial class FromAttributes;
        """;

    [Fact]
    public void One_network_written_both_ways_generates_the_same_forward_and_weights()
    {
        string json = Fixtures.Network("block.netgen.json");
        GeneratorRun run = GeneratorHarness.Run(BlockInAttributes, ("/block.netgen.json", json));
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilerDiagnostics);

        string fromJson = Body(run.Source("FromJson.g.cs"));
        string fromAttributes = Body(run.Source("FromAttributes.g.cs"));
        Assert.Contains("Layers.Layer1(input, embed_z, embed);", fromJson);
        Assert.Equal(fromJson, fromAttributes);

        // And the same public surface: constants, entry points, Cache fields.
        Assert.Equal(
            run.Source("FromJson.g.cs").Split('\n').Where(l => l.Contains("public ")),
            run.Source("FromAttributes.g.cs").Split('\n').Where(l => l.Contains("public ")).Select(l => l.Replace("FromAttributes", "FromJson")));
    }

    /// <summary>affine (a scalar and a vector), the activations with parameters, slice, mask and argmax, in both forms.</summary>
    private const string ElementwiseInJson = """
        { "format": "netgen/1", "input": 3, "layers": [
          { "op": "affine", "scale": 0.5, "shift": [1, 2, 3] },
          { "op": "elu", "alpha": 0.5 }, { "op": "selu" }, { "op": "softplus", "beta": 2, "threshold": 10 }, { "op": "mish" },
          { "op": "hard_sigmoid", "alpha": 0.2, "beta": 0.5 }, { "op": "hard_swish" }, { "op": "clip", "min": -1, "max": 1 },
          { "op": "affine", "scale": [1, -1, 2] }, { "op": "slice", "start": 1, "end": 3 },
          { "op": "mask", "start": 1, "fill": -5 }, { "op": "argmax", "groups": [1, 1], "last": true }
        ] }
        """;

    private const string ElementwiseInAttributes = """
        using NetGen;

        [Network("elementwise.netgen.json")]
        public static partial class FromJson;

        [Network(input: 3)]
        [Affine(Scale = "0.5", Shift = "1 2 3")]
        [Elu(Alpha = 0.5f)]
        [Selu]
        [Softplus(Beta = 2f, Threshold = 10f)]
        [Mish]
        [HardSigmoid(Alpha = 0.2f, Beta = 0.5f)]
        [HardSwish]
        [Clip(Min = -1f, Max = 1f)]
        [Affine(Scale = "1 -1 2")]
        [Slice(1, 3)]
        [Mask(Start = 1, Fill = -5f)]
        [ArgMax(1, 1, Last = true)]
        public static partial class FromAttributes;
        """;

    [Fact]
    public void Affine_slice_mask_argmax_and_the_parameterised_activations_written_both_ways_generate_the_same_code()
    {
        GeneratorRun run = GeneratorHarness.Run(ElementwiseInAttributes, ("/elementwise.netgen.json", ElementwiseInJson));
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilerDiagnostics);
        string fromJson = Body(run.Source("FromJson.g.cs"));
        Assert.Contains("//   N1 = input ⊙ Scale1 + Shift1", fromJson);
        Assert.Equal(fromJson, Body(run.Source("FromAttributes.g.cs")));
    }

    /// <summary>Everything from ForwardCore on: the steps with their math, and the weight data.</summary>
    private static string Body(string source) => source[source.IndexOf("private static void ForwardCore(", StringComparison.Ordinal)..];
}
