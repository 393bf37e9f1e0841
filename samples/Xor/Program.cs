using System;
using System.Linq;
using NetGen;
using NetGen.Training;

// Trains XOR, the practice exercise of the forward-pass lesson, from the description's starting
// weights: the four cases as one batch, mean squared error, plain gradient descent. The loss
// falls; the predictions go to 0, 1, 1, 0.
float[] inputs = { 0, 0, 0, 1, 1, 0, 1, 1 };
float[] targets = { 0, 1, 1, 0 };
float[] predictions = new float[4];
float[] gradients = new float[4];

var model = new XorNetwork.Model();
var cache = new XorNetwork.BatchCache(maxRows: 4);
var sgd = new Sgd(learningRate: 2f, momentum: 0.9f);

Print("before training");
for (int epoch = 1; epoch <= 2000; epoch++)
{
    model.ForwardBatch(inputs, predictions, cache);
    float loss = Loss.MeanSquaredError(predictions, targets, gradients);
    model.ZeroGradients();
    model.BackwardBatch(cache, gradients, Span<float>.Empty);
    sgd.Step(model.Parameters, model.Gradients);
    if (epoch == 1 || epoch % 250 == 0)
    {
        Console.WriteLine($"epoch {epoch,4}: loss {loss:F6}");
    }
}

Print("after training");
Console.WriteLine();
Console.WriteLine("The trained network, as a description that compiles back into a fixed one:");
Console.WriteLine(model.ToDescription());

void Print(string when)
{
    model.ForwardBatch(inputs, predictions, cache);
    Console.WriteLine($"{when}: " + string.Join(", ", new[] { "0 xor 0", "0 xor 1", "1 xor 0", "1 xor 1" }.Select((c, i) => $"{c} = {predictions[i]:F3}")));
}

/// <summary>2 inputs, 4 sigmoids, a sigmoid: XOR's network, trainable from its starting weights.</summary>
[Network("Models/xor.netgen.json", Trainable = true)]
internal static partial class XorNetwork;
