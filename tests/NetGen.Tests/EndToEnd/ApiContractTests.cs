using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Tests.Reference;
using NetGen.Tests.Harness;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>The generated API of DESIGN.md: argument checks, batches, the Cache, and no allocation.</summary>
public sealed class ApiContractTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Forward_with_a_wrong_input_length_names_the_expected_length(int length)
    {
        var e = Assert.Throws<ArgumentException>(() => Lesson.Forward(new float[length], new float[1]));
        Assert.Equal("input", e.ParamName);
        Assert.Contains($"Expected input to have length 2, but it is {length}", e.Message);
    }

    [Fact]
    public void Forward_with_a_wrong_output_length_names_the_expected_length()
    {
        var e = Assert.Throws<ArgumentException>(() => Lesson.Forward(new float[2], new float[2]));
        Assert.Equal("output", e.ParamName);
        Assert.Contains("Expected output to have length 1, but it is 2", e.Message);

        var cache = new Lesson.Cache();
        e = Assert.Throws<ArgumentException>(() => Lesson.Forward(new float[2], Span<float>.Empty, ref cache));
        Assert.Equal("output", e.ParamName);
    }

    [Fact]
    public void Forward_refuses_an_output_that_overlaps_the_input()
    {
        float[] buffer = new float[4];
        var e = Assert.Throws<ArgumentException>(() => Block.Forward(buffer, buffer.AsSpan(1, 3)));
        Assert.Contains("must not overlap", e.Message);
    }

    [Fact]
    public void ForwardBatch_checks_that_lengths_are_whole_rows_that_agree()
    {
        var e = Assert.Throws<ArgumentException>(() => Lesson.ForwardBatch(new float[5], new float[2]));
        Assert.Equal("inputs", e.ParamName);
        Assert.Contains("multiple of the input size 2", e.Message);

        e = Assert.Throws<ArgumentException>(() => Lesson.ForwardBatch(new float[6], new float[2]));
        Assert.Equal("outputs", e.ParamName);
        Assert.Contains("Expected outputs to have length 3 (3 rows of 1", e.Message);
    }

    [Fact]
    public void ForwardBatch_with_zero_rows_does_nothing()
    {
        Lesson.ForwardBatch(ReadOnlySpan<float>.Empty, Span<float>.Empty);
        Block.ForwardBatch([], []);
    }

    [Fact]
    public void Named_layers_name_their_cache_fields_and_every_field_matches_the_reference()
    {
        string json = Fixtures.Network("block.netgen.json");
        var reference = new ReferenceNetwork(json);
        float[] x = [0.5f, -1.25f, 2f, 0.75f];
        var expected = new List<(string Name, double[] Values)>();
        double[] expectedOutput = reference.Evaluate(x, expected);

        var cache = new Block.Cache();
        float[] output = new float[Block.OutputSize];
        Block.Forward(x, output, ref cache);
        Accuracy.Compare(expectedOutput, output, "output");

        // The fields a user reads by name (named layers, derived names and positional ones).
        var actual = new Dictionary<string, float[]>
        {
            ["embed_z"] = ((ReadOnlySpan<float>)cache.embed_z).ToArray(),
            ["embed"] = ((ReadOnlySpan<float>)cache.embed).ToArray(),
            ["ln1"] = ((ReadOnlySpan<float>)cache.ln1).ToArray(),
            ["Z2_2"] = ((ReadOnlySpan<float>)cache.Z2_2).ToArray(),
            ["A2_2"] = ((ReadOnlySpan<float>)cache.A2_2).ToArray(),
            ["attn_like"] = ((ReadOnlySpan<float>)cache.attn_like).ToArray(),
            ["rms"] = ((ReadOnlySpan<float>)cache.rms).ToArray(),
            ["glu_gate"] = ((ReadOnlySpan<float>)cache.glu_gate).ToArray(),
            ["glu_up"] = ((ReadOnlySpan<float>)cache.glu_up).ToArray(),
            ["glu_hidden"] = ((ReadOnlySpan<float>)cache.glu_hidden).ToArray(),
            ["glu"] = ((ReadOnlySpan<float>)cache.glu).ToArray(),
            ["ffn"] = ((ReadOnlySpan<float>)cache.ffn).ToArray(),
            ["bn"] = ((ReadOnlySpan<float>)cache.bn).ToArray(),
            ["A4"] = ((ReadOnlySpan<float>)cache.A4).ToArray(),
            ["A4b"] = ((ReadOnlySpan<float>)cache.A4b).ToArray(),
            ["head_z"] = ((ReadOnlySpan<float>)cache.head_z).ToArray(),
            ["head"] = ((ReadOnlySpan<float>)cache.head).ToArray(),
        };

        Assert.Equal(expected.Select(t => t.Name), actual.Keys);
        foreach (var (name, values) in expected)
        {
            Accuracy.Compare(values, actual[name], "Cache." + name);
        }
    }

    [Fact]
    public void Cache_fields_are_writable_spans_of_their_tensor_size()
    {
        var cache = new Lesson.Cache();
        Span<float> z1 = cache.Z1;
        Assert.Equal(3, z1.Length);
        z1[2] = 42f;
        Assert.Equal(42f, cache.Z1[2]);
    }

    /// <remarks>
    /// Holds for optimized code, which is how the suite runs (README: <c>dotnet test -c Release</c>).
    /// Unoptimized (Debug) JIT does not expand <c>RuntimeHelpers.CreateSpan</c>, which reads the
    /// weight data, and allocates a small handle per weight tensor per call: see the README.
    /// </remarks>
    [Fact]
    public void Forward_Forward_with_cache_and_ForwardBatch_allocate_nothing()
    {
        float[] digit = new float[Digits.InputSize];
        float[] output = new float[Digits.OutputSize];
        float[] batch = new float[Digits.InputSize * 8];
        float[] batchOutput = new float[Digits.OutputSize * 8];
        float[] block = [0.5f, -1.25f, 2f, 0.75f];
        float[] blockOutput = new float[Block.OutputSize];

        void RunAll()
        {
            var cache = new Digits.Cache();
            var blockCache = new Block.Cache();
            Digits.Forward(digit, output);
            Digits.Forward(digit, output, ref cache);
            Digits.ForwardBatch(batch, batchOutput);
            DigitsKernel.Forward(digit, output);
            DigitsUnrolled.Forward(digit, output);
            Block.Forward(block, blockOutput);
            Block.Forward(block, blockOutput, ref blockCache);
            Block.ForwardBatch(block, blockOutput);
            Lesson.Forward([3f, 1f], output.AsSpan(0, 1));
        }

        Assert.Equal(0, Allocations.Steady(RunAll));
    }
}
