using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using NetGen;
using NetGen.Training;

// Trains the digits classifier's architecture (64-32-16-10) from a fixed random initialisation
// on the 1,347 training images, with cross-entropy and Adam, batches of 64; prints each epoch's
// loss, test accuracy and time; then writes the trained network as a description, which
// compiles back into a fixed network ([Network("digits-trained.netgen.json")]).
var train = Load("digits-train.csv");
var test = Load("digits-test.csv");
const int BatchSize = 64;
const int Epochs = 40;

var model = new DigitsNetwork.Model();
var cache = new DigitsNetwork.BatchCache(BatchSize);
var adam = new Adam(learningRate: 1e-2f);
float[] inputs = new float[BatchSize * DigitsNetwork.InputSize];
float[] logits = new float[BatchSize * DigitsNetwork.OutputSize];
float[] gradients = new float[logits.Length];
int[] labels = new int[BatchSize];
int[] order = Enumerable.Range(0, train.Length).ToArray();
var shuffle = new Random(0);

Console.WriteLine($"DigitsNetwork: {DigitsNetwork.ParameterCount:N0} parameters ({string.Join(", ", model.ParameterNames)}); {train.Length} training and {test.Length} test images");
Console.WriteLine($"Before training: test accuracy {100 * Accuracy(test):F2}%");
var total = Stopwatch.StartNew();
for (int epoch = 1; epoch <= Epochs; epoch++)
{
    shuffle.Shuffle(order);
    var clock = Stopwatch.StartNew();
    double loss = 0;
    int batches = 0;
    for (int start = 0; start < order.Length; start += BatchSize)
    {
        int rows = Math.Min(BatchSize, order.Length - start);
        for (int r = 0; r < rows; r++)
        {
            var (label, pixels) = train[order[start + r]];
            pixels.CopyTo(inputs.AsSpan(r * DigitsNetwork.InputSize));
            labels[r] = label;
        }

        var x = inputs.AsSpan(0, rows * DigitsNetwork.InputSize);
        var z = logits.AsSpan(0, rows * DigitsNetwork.OutputSize);
        var dz = gradients.AsSpan(0, z.Length);
        model.ForwardBatch(x, z, cache);
        loss += Loss.CrossEntropy(z, labels.AsSpan(0, rows), dz);
        model.ZeroGradients();
        model.BackwardBatch(cache, dz, Span<float>.Empty);
        adam.Step(model.Parameters, model.Gradients);
        batches++;
    }

    double milliseconds = clock.Elapsed.TotalMilliseconds;
    if (epoch == 1 || epoch % 5 == 0)
    {
        Console.WriteLine($"epoch {epoch,2}: loss {loss / batches:F4}, test accuracy {100 * Accuracy(test):F2}%, {milliseconds:F2} ms");
    }
}

Console.WriteLine($"Trained in {total.Elapsed.TotalMilliseconds:F0} ms ({total.Elapsed.TotalMilliseconds / Epochs:F2} ms an epoch of {(train.Length + BatchSize - 1) / BatchSize} steps, evaluations included)");
string path = Path.Combine(AppContext.BaseDirectory, "digits-trained.netgen.json");
File.WriteAllText(path, model.ToDescription($"The digits classifier's 64-32-16-10 architecture trained by samples/DigitsTraining ({Epochs} epochs of Adam): {100 * Accuracy(test):F2}% test accuracy."));
Console.WriteLine($"Wrote {path}");

double Accuracy((int Label, float[] Pixels)[] samples)
{
    int correct = 0;
    for (int start = 0; start < samples.Length; start += BatchSize)
    {
        int rows = Math.Min(BatchSize, samples.Length - start);
        for (int r = 0; r < rows; r++)
        {
            samples[start + r].Pixels.CopyTo(inputs.AsSpan(r * DigitsNetwork.InputSize));
        }

        model.ForwardBatch(inputs.AsSpan(0, rows * DigitsNetwork.InputSize), logits.AsSpan(0, rows * DigitsNetwork.OutputSize), cache);
        for (int r = 0; r < rows; r++)
        {
            var scores = logits.AsSpan(r * DigitsNetwork.OutputSize, DigitsNetwork.OutputSize);
            int best = 0;
            for (int k = 1; k < scores.Length; k++)
            {
                best = scores[k] > scores[best] ? k : best;
            }

            correct += best == samples[start + r].Label ? 1 : 0;
        }
    }

    return (double)correct / samples.Length;
}

static (int Label, float[] Pixels)[] Load(string file) =>
    File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Data", file))
        .Skip(1)
        .Select(line => line.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray())
        .Select(fields => ((int)fields[0], fields[1..]))
        .ToArray();

/// <summary>The digits classifier's architecture at its initial weights, trainable; its outputs are logits.</summary>
[Network("Models/digits-init.netgen.json", Trainable = true)]
internal static partial class DigitsNetwork;
