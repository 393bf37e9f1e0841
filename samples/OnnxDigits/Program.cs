using System;
using System.Globalization;
using System.IO;
using System.Linq;
using NetGen;

// The digits classifier again, this time from an ONNX file that PyTorch exported: the project
// lists Models/digits.onnx as a NetGenModel item, the build converts it, and the class below
// asks for it by name. Same weights, same 450 test images, same accuracy as the Digits sample.
string path = Path.Combine(AppContext.BaseDirectory, "Models", "digits-test.csv");
var samples = File.ReadLines(path)
    .Skip(1)
    .Select(line => line.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray())
    .Select(fields => (Label: (int)fields[0], Pixels: fields[1..]))
    .ToArray();

Console.WriteLine($"OnnxDigits (from digits.onnx): {OnnxDigits.InputSize} inputs, {OnnxDigits.OutputSize} outputs, {OnnxDigits.ParameterCount:N0} parameters");

float[] inputs = samples.SelectMany(s => s.Pixels).ToArray();
float[] outputs = new float[samples.Length * OnnxDigits.OutputSize];
OnnxDigits.ForwardBatch(inputs, outputs);

int correct = 0;
for (int i = 0; i < samples.Length; i++)
{
    ReadOnlySpan<float> probabilities = outputs.AsSpan(i * OnnxDigits.OutputSize, OnnxDigits.OutputSize);
    int predicted = 0;
    for (int k = 1; k < probabilities.Length; k++)
    {
        if (probabilities[k] > probabilities[predicted])
        {
            predicted = k;
        }
    }

    if (predicted == samples[i].Label)
    {
        correct++;
    }
}

Console.WriteLine($"Test accuracy: {correct}/{samples.Length} = {100.0 * correct / samples.Length:F2}%");

[Network("digits.onnx")]
public static partial class OnnxDigits;
