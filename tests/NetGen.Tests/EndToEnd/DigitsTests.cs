using System;
using System.Globalization;
using System.IO;
using System.Linq;
using NetGen.Tests.Harness;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>The real trained model reproduces PyTorch's outputs and accuracy.</summary>
public sealed class DigitsTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Networks");

    private delegate void Forward(ReadOnlySpan<float> input, Span<float> output);

    /// <summary>Auto (vectorized layers and an unrolled last one), and each strategy on its own.</summary>
    [Theory]
    [InlineData("auto")]
    [InlineData("kernel")]
    [InlineData("unrolled")]
    public void Digits_reproduces_pytorch_outputs_within_the_bound_and_its_accuracy(string strategy)
    {
        Forward forward = strategy switch
        {
            "kernel" => DigitsKernel.Forward,
            "unrolled" => DigitsUnrolled.Forward,
            _ => Digits.Forward,
        };
        float[][] images = ReadCsv("digits-test.csv");
        float[][] expected = ReadCsv("digits-test-expected.csv");
        Assert.Equal(450, images.Length);
        Assert.Equal(450, expected.Length);

        int correct = 0;
        float[] output = new float[Digits.OutputSize];
        for (int i = 0; i < images.Length; i++)
        {
            int label = (int)images[i][0];
            forward(images[i].AsSpan(1), output);
            Accuracy.Compare(expected[i].Select(v => (double)v).ToArray(), output, $"{strategy}, image {i}");
            correct += Array.IndexOf(output, output.Max()) == label ? 1 : 0;
        }

        Assert.Equal(444, correct); // 98.67%, as the model's README states
    }

    [Fact]
    public void Digits_batch_equals_one_sample_at_a_time()
    {
        float[][] images = ReadCsv("digits-test.csv");
        float[] inputs = images.SelectMany(row => row.Skip(1)).ToArray();
        float[] outputs = new float[images.Length * Digits.OutputSize];
        Digits.ForwardBatch(inputs, outputs);

        float[] single = new float[Digits.OutputSize];
        for (int i = 0; i < images.Length; i++)
        {
            Digits.Forward(images[i].AsSpan(1), single);
            Assert.Equal(single, outputs.AsSpan(i * Digits.OutputSize, Digits.OutputSize).ToArray());
        }
    }

    [Fact]
    public void Digits_has_the_parameter_count_pytorch_reports()
    {
        Assert.Equal((64 * 32) + 32 + (32 * 16) + 16 + (16 * 10) + 10, Digits.ParameterCount);
        Assert.Equal(2778, Digits.ParameterCount);
    }

    private static float[][] ReadCsv(string name) =>
        File.ReadLines(Path.Combine(Folder, name))
            .Skip(1)
            .Select(line => line.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray())
            .ToArray();
}
