using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Digits;

// Classifies the 450 held-out 8x8 digit images with the compiled network, then traces one
// image through every layer using the Cache that Forward fills.
string path = Path.Combine(AppContext.BaseDirectory, "Models", "digits-test.csv");
var samples = File.ReadLines(path)
    .Skip(1)
    .Select(line => line.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray())
    .Select(fields => (Label: (int)fields[0], Pixels: fields[1..]))
    .ToArray();

Console.WriteLine($"DigitsClassifier: {DigitsClassifier.InputSize} inputs, {DigitsClassifier.OutputSize} outputs, {DigitsClassifier.ParameterCount:N0} parameters");

// The whole test set in one call: rows of [batch, InputSize] in, rows of [batch, OutputSize] out.
float[] inputs = samples.SelectMany(s => s.Pixels).ToArray();
float[] outputs = new float[samples.Length * DigitsClassifier.OutputSize];
DigitsClassifier.ForwardBatch(inputs, outputs);

int correct = 0;
for (int i = 0; i < samples.Length; i++)
{
    ReadOnlySpan<float> probabilities = outputs.AsSpan(i * DigitsClassifier.OutputSize, DigitsClassifier.OutputSize);
    if (ArgMax(probabilities) == samples[i].Label)
    {
        correct++;
    }
}

Console.WriteLine($"Test accuracy: {correct}/{samples.Length} = {100.0 * correct / samples.Length:F2}%");
Console.WriteLine();

// One image, layer by layer.
var (label, pixels) = samples[0];
Console.WriteLine($"Trace of test image 0 (label {label}):");
for (int row = 0; row < 8; row++)
{
    Console.WriteLine("  " + string.Concat(pixels.Skip(row * 8).Take(8).Select(p => p switch { > 0.66f => "##", > 0.33f => "++", > 0f => "..", _ => "  " })));
}

var cache = new DigitsClassifier.Cache();
Span<float> output = stackalloc float[DigitsClassifier.OutputSize];
DigitsClassifier.Forward(pixels, output, ref cache);

Print("Z1 = W1·x + b1", cache.Z1);
Print("A1 = relu(Z1)", cache.A1);
Print("Z2 = W2·A1 + b2", cache.Z2);
Print("A2 = relu(Z2)", cache.A2);
Print("Z3 = W3·A2 + b3", cache.Z3);
Print("A3 = softmax(Z3)", cache.A3);
Console.WriteLine($"Predicted {ArgMax(output)} with probability {output[ArgMax(output)]:P2}.");

static void Print(string title, ReadOnlySpan<float> values)
{
    var shown = values.ToArray().Take(10).Select(v => v.ToString("0.000", CultureInfo.InvariantCulture).PadLeft(8));
    Console.WriteLine($"  {title,-18} [{values.Length,2}] {string.Concat(shown)}{(values.Length > 10 ? " ..." : string.Empty)}");
}

static int ArgMax(ReadOnlySpan<float> values)
{
    int best = 0;
    for (int i = 1; i < values.Length; i++)
    {
        if (values[i] > values[best])
        {
            best = i;
        }
    }

    return best;
}
