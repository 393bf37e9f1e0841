using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using NetGen.Tests.Harness;
using NetGen.Tests.Reference;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.Training;

/// <summary>
/// The training contract's accuracy: on random networks of every op and combination (the
/// property tests' generator: PyTorch's default initialization, some weights up to 3, inputs in
/// [-3, 3]), with random output gradients, every parameter gradient and the input gradient of
/// <c>Model.BackwardBatch</c> are within <c>2e-5·(1 + |reference|)</c> of the float64 backward
/// pass, and <c>Model.ForwardBatch</c> within the format's bound of the float64 evaluation.
/// Five compilations of 40 networks: 200 networks, on each vector width in CI.
/// </summary>
public sealed class GradientTests(ITestOutputHelper output)
{
    private const int NetworksPerCompilation = 40;
    private const int Rows = 3;
    private const double Bound = 2e-5;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Gradients_of_random_networks_agree_with_the_float64_backward_pass(int seed) => Check(seed, unity: false);

    /// <summary>The same as Unity compiles them: C# 9 against the runtime's netstandard2.1 build.</summary>
    [Fact]
    public void Gradients_in_CSharp_9_on_the_netstandard2_1_runtime_agree_with_the_float64_backward_pass() => Check(6, unity: true);

    /// <summary>
    /// Wide layers over batches of at least a vector's width of rows take the forward path that
    /// transposes the activations for the matrix kernel (in AVX 8 × 8 tiles where they fill one);
    /// a single row takes dot products. Both agree with the float64 reference, and so with each
    /// other within the format's bound.
    /// </summary>
    [Fact]
    public void Wide_layers_over_many_rows_agree_with_the_float64_backward_pass()
    {
        var random = new Random(17);
        string Matrix(int rows, int columns) => "{ \"shape\": [" + rows + ", " + columns + "], \"dtype\": \"f32\", \"base64\": \"" +
            Convert.ToBase64String(Enumerable.Range(0, rows * columns).SelectMany(_ => BitConverter.GetBytes((float)(((random.NextDouble() * 2) - 1) / Math.Sqrt(columns)))).ToArray()) + "\" }";
        string json = "{ \"format\": \"netgen/1\", \"input\": 280, \"layers\": [" +
            "{ \"op\": \"linear\", \"out\": 40, \"weight\": " + Matrix(40, 280) + ", \"activation\": \"gelu\" }," +
            "{ \"op\": \"linear\", \"out\": 270, \"weight\": " + Matrix(270, 40) + ", \"activation\": \"tanh\" }," +
            "{ \"op\": \"residual\", \"layers\": [{ \"op\": \"linear\", \"out\": 270, \"weight\": " + Matrix(270, 270) + " }] }," +
            "{ \"op\": \"linear\", \"out\": 5, \"weight\": " + Matrix(5, 270) + " }] }";
        var training = CompiledNetworks.Compile(new[] { json }, trainable: true).Training(0);
        var reference = new ReferenceGradients(json);
        const int Many = 37;
        float[] x = Enumerable.Range(0, Many * 280).Select(_ => (float)((random.NextDouble() * 6) - 3)).ToArray();
        float[] dy = Enumerable.Range(0, Many * 5).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        float[] y = new float[Many * 5];
        float[] dx = new float[x.Length];
        object model = training.NewModel();
        object cache = training.NewCache(Many);
        training.ForwardBatch(model, x, y, cache);
        training.BackwardBatch(model, cache, dy, dx);

        var expected = new Dictionary<string, double[]>();
        var expectedDx = new List<double>();
        for (int r = 0; r < Many; r++)
        {
            expectedDx.AddRange(reference.Backward(x.Skip(r * 280).Take(280).Select(v => (double)v).ToArray(), dy.Skip(r * 5).Take(5).Select(v => (double)v).ToArray(), expected, out double[] row));
            Accuracy.Compare(row, y.AsSpan(r * 5, 5).ToArray(), "ForwardBatch, row " + r);

            // One row at a time: the dot products' path.
            float[] single = new float[5];
            training.ForwardBatch(model, x.AsSpan(r * 280, 280).ToArray(), single, training.NewCache(1));
            Accuracy.Compare(row, single, "ForwardBatch of one row, row " + r);
        }

        double worst = Accuracy.Compare(expectedDx.ToArray(), dx, "input gradient", Bound);
        float[] gradients = training.Gradients(model);
        int offset = 0;
        foreach (var (name, values) in reference.Parameters())
        {
            worst = Math.Max(worst, Accuracy.Compare(expected[name], gradients.AsSpan(offset, values.Length).ToArray(), "gradient of " + name, Bound));
            offset += values.Length;
        }

        output.WriteLine($"{Many} rows through layers of 280 and 270 inputs: worst error {worst:E2} of the bound's 2e-5·(1+|ref|)");
    }

    private void Check(int seed, bool unity)
    {
        var random = new RandomNetworks(seed * 104729);
        var networks = Enumerable.Range(0, unity ? 20 : NetworksPerCompilation).Select(_ => random.Next()).ToList();
        var compiled = CompiledNetworks.Compile(networks.Select(n => n.Json).ToList(), unity: unity, trainable: true);
        var values = new Random(seed);

        double worst = 0;
        int gradients = 0;
        for (int i = 0; i < networks.Count; i++)
        {
            var (json, inputSize) = networks[i];
            var training = compiled.Training(i);
            var reference = new ReferenceGradients(json);
            string context = $"seed {seed}, network {i}: {(json.Length <= 300 ? json : json[..300] + "...")}";

            object model = training.NewModel();
            var expectedParameters = reference.Parameters();
            Assert.Equal(expectedParameters.Select(p => p.Name), training.Names(model));
            Assert.Equal(expectedParameters.SelectMany(p => p.Values.Select(v => (float)v)), training.Parameters(model));

            float[] x = random.Input(Rows * inputSize);
            int outputSize = (int)compiled.Constant(i, "OutputSize");
            float[] dy = Enumerable.Range(0, Rows * outputSize).Select(_ => (float)((values.NextDouble() * 2) - 1)).ToArray();
            float[] y = new float[Rows * outputSize];
            float[] dx = new float[Rows * inputSize];
            object cache = training.NewCache(Rows + 1);
            training.ForwardBatch(model, x, y, cache);
            training.BackwardBatch(model, cache, dy, dx);

            var expectedGradients = new Dictionary<string, double[]>();
            var expectedDx = new List<double>();
            var expectedY = new List<double>();
            for (int r = 0; r < Rows; r++)
            {
                double[] row = x.Skip(r * inputSize).Take(inputSize).Select(v => (double)v).ToArray();
                double[] d = dy.Skip(r * outputSize).Take(outputSize).Select(v => (double)v).ToArray();
                expectedDx.AddRange(reference.Backward(row, d, expectedGradients, out double[] yRow));
                expectedY.AddRange(yRow);
            }

            Accuracy.Compare(expectedY.ToArray(), y, context + " / ForwardBatch");
            worst = Math.Max(worst, Accuracy.Compare(expectedDx.ToArray(), dx, context + " / input gradient", Bound));
            float[] actual = training.Gradients(model);
            int offset = 0;
            foreach (var (name, parameter) in expectedParameters)
            {
                double[] expected = expectedGradients.TryGetValue(name, out var g) ? g : new double[parameter.Length];
                worst = Math.Max(worst, Accuracy.Compare(expected, actual.AsSpan(offset, parameter.Length).ToArray(), $"{context} / gradient of {name}", Bound));
                offset += parameter.Length;
                gradients++;
            }

            // A second backward pass adds the same again (to float32 rounding: the kernels add
            // their blocks' sums to what is there); ZeroGradients clears them.
            training.BackwardBatch(model, cache, dy, Array.Empty<float>());
            float[] twice = training.Gradients(model);
            for (int k = 0; k < actual.Length; k++)
            {
                Assert.True(Math.Abs(twice[k] - (2 * actual[k])) <= Bound * (1 + Math.Abs(actual[k])), $"{context}: gradient {k} after two passes is {twice[k]}, after one {actual[k]}");
            }

            training.ZeroGradients(model);
            Assert.All(training.Gradients(model), v => Assert.Equal(0f, v));
        }

        output.WriteLine($"{networks.Count} networks, {gradients} parameter gradients and {networks.Count} input gradients of {Rows} rows; worst error {worst:E2} of the bound's 2e-5·(1+|ref|); " +
            $"Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector128 {Vector128.IsHardwareAccelerated}");
    }
}
