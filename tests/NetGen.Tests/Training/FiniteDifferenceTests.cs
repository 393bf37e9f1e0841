using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Tests.Harness;
using NetGen.Tests.Reference;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.Training;

/// <summary>
/// The float64 backward pass the gradient tests trust, checked itself: on random networks of every
/// op, its gradients of <c>L = Σ dy ⊙ y</c> agree with central differences of the network, and its
/// forward pass with <see cref="ReferenceNetwork"/>'s independent evaluation.
/// </summary>
public sealed class FiniteDifferenceTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void The_reference_backward_pass_agrees_with_central_differences(int seed)
    {
        var random = new RandomNetworks(seed * 7);
        var values = new Random(seed);
        int checkedValues = 0;
        double worst = 0;
        for (int network = 0; network < 25; network++)
        {
            var (json, inputSize) = random.Next();
            var reference = new ReferenceGradients(json);
            double[] x = random.Input(inputSize).Select(v => (double)v).ToArray();
            double[] y0 = new ReferenceNetwork(json).Evaluate(x.Select(v => (float)v).ToArray(), new());
            double[] dy = y0.Select(_ => (values.NextDouble() * 2) - 1).ToArray();
            var gradients = new Dictionary<string, double[]>();
            double[] dx = reference.Backward(x, dy, gradients, out double[] y);
            Assert.All(y.Zip(y0), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-12 * (1 + Math.Abs(p.Second)), $"network {network}: forward {p.First:R}, evaluation {p.Second:R}"));

            var parameters = reference.Parameters().ToDictionary(p => p.Name, p => p.Values);
            double Loss(double[] input, IReadOnlyDictionary<string, double[]> overrides)
            {
                reference.Backward(input, dy, new Dictionary<string, double[]>(), out double[] output, overrides);
                return output.Zip(dy, (a, b) => a * b).Sum();
            }

            void Check(double analytic, Func<double, double> loss, double at, string what)
            {
                double h = 1e-6 * Math.Max(1, Math.Abs(at));
                double numeric = (loss(at + h) - loss(at - h)) / (2 * h);
                double error = Math.Abs(numeric - analytic) / (1 + Math.Abs(analytic));
                worst = Math.Max(worst, error);
                Assert.True(error <= 1e-5, $"seed {seed}, network {network}, {what}: backward {analytic:R}, central difference {numeric:R}; {json[..Math.Min(300, json.Length)]}");
                checkedValues++;
            }

            for (int i = 0; i < Math.Min(inputSize, 8); i++)
            {
                int k = i;
                Check(dx[k], v => Loss(x.Select((e, j) => j == k ? v : e).ToArray(), parameters), x[k], $"input {k}");
            }

            foreach (var (name, tensor) in parameters)
            {
                for (int sample = 0; sample < Math.Min(tensor.Length, 4); sample++)
                {
                    int k = values.Next(tensor.Length);
                    double analytic = gradients.TryGetValue(name, out var g) ? g[k] : 0;
                    Check(analytic, v =>
                    {
                        var moved = new Dictionary<string, double[]>(parameters) { [name] = tensor.Select((e, j) => j == k ? v : e).ToArray() };
                        return Loss(x, moved);
                    }, tensor[k], $"{name}[{k}]");
                }
            }
        }

        output.WriteLine($"{checkedValues} derivatives of 25 networks; worst relative difference {worst:E2}");
    }
}
