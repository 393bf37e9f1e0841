using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using NetGen.Tests.Harness;
using NetGen.Tests.Reference;
using NetGen.Training;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.Training;

/// <summary>
/// Against PyTorch itself (Training/References, written by make_references.py with Debian's
/// python3-torch): autograd's float64 gradients of networks of every op, torch.optim's float32
/// trajectories, and the losses of torch.nn.functional.
/// </summary>
public sealed class PyTorchTests(ITestOutputHelper output)
{
    private static JsonElement Load(string file) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Training", "References", file))).RootElement;

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    [Theory]
    [InlineData("autograd-mlp.json")]
    [InlineData("autograd-block.json")]
    public void Gradients_agree_with_PyTorch_autograd(string file)
    {
        var root = Load(file);
        string description = root.GetProperty("description").GetRawText();
        int rows = root.GetProperty("rows").GetInt32();
        var compiled = CompiledNetworks.Compile(new[] { description }, trainable: true);
        var training = compiled.Training(0);
        object model = training.NewModel();
        object cache = training.NewCache(rows);
        float[] x = Floats(root.GetProperty("inputs"));
        float[] dy = Floats(root.GetProperty("outputGradients"));
        float[] y = new float[dy.Length];
        float[] dx = new float[x.Length];
        training.ForwardBatch(model, x, y, cache);
        training.BackwardBatch(model, cache, dy, dx);

        double worst = Accuracy.Compare(Doubles(root.GetProperty("outputs")), y, file + " / outputs");
        worst = Math.Max(worst, Accuracy.Compare(Doubles(root.GetProperty("inputGradients")), dx, file + " / input gradients", 2e-5));
        string[] names = training.Names(model);
        float[] gradients = training.Gradients(model);
        var expected = root.GetProperty("parameterGradients");
        Assert.Equal(expected.EnumerateObject().Select(p => p.Name), names);
        int offset = 0;
        foreach (var parameter in expected.EnumerateObject())
        {
            double[] values = Doubles(parameter.Value);
            worst = Math.Max(worst, Accuracy.Compare(values, gradients.AsSpan(offset, values.Length).ToArray(), $"{file} / gradient of {parameter.Name}", 2e-5));
            offset += values.Length;
        }

        Assert.Equal(gradients.Length, offset);

        // The float64 reference of these tests agrees with autograd too.
        var reference = new ReferenceGradients(description);
        var referenceGradients = new Dictionary<string, double[]>();
        int inputSize = x.Length / rows, outputSize = y.Length / rows;
        for (int r = 0; r < rows; r++)
        {
            double[] d = reference.Backward(x.Skip(r * inputSize).Take(inputSize).Select(v => (double)v).ToArray(), dy.Skip(r * outputSize).Take(outputSize).Select(v => (double)v).ToArray(), referenceGradients, out _);
            double[] fromTorch = Doubles(root.GetProperty("inputGradients")).Skip(r * inputSize).Take(inputSize).ToArray();
            Assert.All(d.Zip(fromTorch), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-9 * (1 + Math.Abs(p.Second)), $"reference {p.First:R}, autograd {p.Second:R}"));
        }

        foreach (var parameter in expected.EnumerateObject())
        {
            Assert.All(referenceGradients[parameter.Name].Zip(Doubles(parameter.Value)), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-9 * (1 + Math.Abs(p.Second)), $"{parameter.Name}: reference {p.First:R}, autograd {p.Second:R}"));
        }

        output.WriteLine($"{file}: {names.Length} parameter tensors and the inputs' gradient; worst error {worst:E2}");
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("sgd_momentum")]
    [InlineData("sgd_nesterov_decay")]
    [InlineData("adam")]
    [InlineData("adam_decay")]
    [InlineData("adamw")]
    public void Optimizer_trajectories_follow_torch_optim_to_float32_rounding(string name)
    {
        var root = Load("optimizers.json");
        float[] p = Floats(root.GetProperty("initial"));
        float[] target = Floats(root.GetProperty("target"));
        Optimizer optimizer = name switch
        {
            "sgd" => new Sgd(0.1f),
            "sgd_momentum" => new Sgd(0.05f, momentum: 0.9f),
            "sgd_nesterov_decay" => new Sgd(0.05f, momentum: 0.9f, weightDecay: 0.01f, nesterov: true),
            "adam" => new Adam(1e-2f),
            "adam_decay" => new Adam(1e-2f, beta1: 0.8f, beta2: 0.99f, epsilon: 1e-6f, weightDecay: 0.1f),
            _ => new AdamW(1e-2f, weightDecay: 0.1f),
        };
        var checkpoints = root.GetProperty("trajectories").GetProperty(name);
        float[] g = new float[p.Length];
        double worst = 0;
        for (int step = 1; step <= root.GetProperty("steps").GetInt32(); step++)
        {
            for (int i = 0; i < p.Length; i++)
            {
                g[i] = 2 * (p[i] - target[i]);
            }

            optimizer.Step(p, g);
            if (checkpoints.TryGetProperty(step.ToString(System.Globalization.CultureInfo.InvariantCulture), out var expected))
            {
                float[] torch = Floats(expected);
                for (int i = 0; i < p.Length; i++)
                {
                    double error = Math.Abs(p[i] - torch[i]) / (1 + Math.Abs(torch[i]));
                    worst = Math.Max(worst, error);
                    Assert.True(error <= 1e-6, $"{name}, step {step}, parameter {i}: {p[i]:R}, torch {torch[i]:R}");
                }
            }
        }

        Assert.Equal(50, optimizer.Steps);
        output.WriteLine($"{name}: worst difference from torch.optim over 50 steps {worst:E2} (float32's ulp at 1 is 1.2e-7)");
    }

    [Fact]
    public void Losses_agree_with_torch_nn_functional()
    {
        var root = Load("losses.json");
        float[] logits = Floats(root.GetProperty("logits"));
        int[] labels = root.GetProperty("labels").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        float[] targets = Floats(root.GetProperty("targets"));
        float[] gradient = new float[logits.Length];
        foreach (var (name, loss) in new (string, Func<float>)[]
        {
            ("mse", () => Loss.MeanSquaredError(logits, targets, gradient)),
            ("cross_entropy", () => Loss.CrossEntropy(logits, labels, gradient)),
            ("bce_with_logits", () => Loss.BinaryCrossEntropyWithLogits(logits, targets, gradient)),
        })
        {
            var expected = root.GetProperty(name);
            Accuracy.Compare(new[] { expected.GetProperty("loss").GetDouble() }, new[] { loss() }, name + " / loss", 1e-6);
            Accuracy.Compare(Doubles(expected.GetProperty("gradient")), gradient, name + " / gradient", 1e-6);
        }
    }
}
