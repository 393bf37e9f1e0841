using System;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>The lessons' own numbers.</summary>
public sealed class LessonTests
{
    [Fact]
    public void The_spec_example_gives_sigmoid_of_3_for_input_3_1()
    {
        Span<float> output = stackalloc float[Lesson.OutputSize];
        Lesson.Forward([3f, 1f], output);

        Assert.Equal(1f / (1f + MathF.Exp(-3f)), output[0], 6);
        Assert.Equal(0.9526, output[0], 4);
    }

    [Fact]
    public void The_spec_example_has_14_parameters_and_its_sizes()
    {
        Assert.Equal(2, Lesson.InputSize);
        Assert.Equal(1, Lesson.OutputSize);
        Assert.Equal(14, Lesson.ParameterCount);
    }

    [Fact]
    public void The_spec_example_records_every_tensor_of_the_lesson_in_its_cache()
    {
        var cache = new Lesson.Cache();
        Span<float> output = stackalloc float[1];
        Lesson.Forward([3f, 1f], output, ref cache);

        Assert.Equal([3f, 1f, -2f], ((ReadOnlySpan<float>)cache.Z1).ToArray());
        Assert.Equal([3f, 1f, 0f], ((ReadOnlySpan<float>)cache.A1).ToArray());
        Assert.Equal([2f, 1f], ((ReadOnlySpan<float>)cache.Z2).ToArray());
        Assert.Equal([2f, 1f], ((ReadOnlySpan<float>)cache.A2).ToArray());
        Assert.Equal([3f], ((ReadOnlySpan<float>)cache.Z3).ToArray());
        Assert.Equal(output[0], cache.A3[0]);
    }

    [Fact]
    public void Relu_then_sum_gives_4_for_input_2_minus_1()
    {
        Span<float> output = stackalloc float[1];
        ReluSum.Forward([2f, -1f], output);
        Assert.Equal(4f, output[0]);

        var cache = new ReluSum.Cache();
        ReluSum.Forward([2f, -1f], output, ref cache);
        Assert.Equal([3f, -1f, 1f], ((ReadOnlySpan<float>)cache.Z1).ToArray());
        Assert.Equal([3f, 0f, 1f], ((ReadOnlySpan<float>)cache.A1).ToArray());
        Assert.Equal(4f, cache.Z2[0]);
    }

    [Fact]
    public void Relu_with_biases_gives_1_for_input_1_1()
    {
        Span<float> output = stackalloc float[1];
        ReluBias.Forward([1f, 1f], output);
        Assert.Equal(1f, output[0]);
        Assert.Equal(2 * 2 + 2 + 2 + 1, ReluBias.ParameterCount);
    }

    [Fact]
    public void Softmax_of_plus_and_minus_1e9_is_exactly_1_and_0()
    {
        Span<float> output = stackalloc float[2];
        SoftmaxOnly.Forward([1e9f, -1e9f], output);
        Assert.Equal(1f, output[0]);
        Assert.Equal(0f, output[1]);

        SoftmaxOnly.Forward([-1e9f, 1e9f], output);
        Assert.Equal(0f, output[0]);
        Assert.Equal(1f, output[1]);
    }

    [Fact]
    public void A_network_in_a_nested_class_is_generated_there()
    {
        Span<float> output = stackalloc float[1];
        Outer.NestedLesson.Forward([3f, 1f], output);
        Assert.Equal(0.9526, output[0], 4);
    }
}
