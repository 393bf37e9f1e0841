using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace NetGen.Runtime;

/// <summary>Argument checks for generated <c>Forward</c> methods, with messages that name the expected sizes.</summary>
public static class Guard
{
    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="length"/> is <paramref name="expected"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Length(int length, int expected, string parameterName)
    {
        if (length != expected)
        {
            ThrowLength(length, expected, parameterName);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> when the two spans share memory.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NoOverlap(ReadOnlySpan<float> input, ReadOnlySpan<float> output, string inputName, string outputName)
    {
        if (input.Overlaps(output))
        {
            ThrowOverlap(inputName, outputName);
        }
    }

    /// <summary>
    /// Checks a row-major batch: both lengths must be whole multiples of the sample sizes, for
    /// the same number of rows. Returns that number of rows.
    /// </summary>
    public static int BatchRows(int inputsLength, int outputsLength, int inputSize, int outputSize, string inputsName, string outputsName)
    {
        if (inputsLength % inputSize != 0)
        {
            throw new ArgumentException(
                $"Expected the length of {inputsName} to be a multiple of the input size {inputSize} (rows of [batch, {inputSize}]), but it is {inputsLength}.",
                inputsName);
        }

        int rows = inputsLength / inputSize;
        if ((long)rows * outputSize != outputsLength)
        {
            throw new ArgumentException(
                $"Expected {outputsName} to have length {(long)rows * outputSize} ({rows} rows of {outputSize}, as {inputsName} has {rows} rows of {inputSize}), but it is {outputsLength}.",
                outputsName);
        }

        return rows;
    }

    [DoesNotReturn]
    private static void ThrowLength(int length, int expected, string parameterName) =>
        throw new ArgumentException($"Expected {parameterName} to have length {expected}, but it is {length}.", parameterName);

    [DoesNotReturn]
    private static void ThrowOverlap(string inputName, string outputName) =>
        throw new ArgumentException($"{inputName} and {outputName} must not overlap.", outputName);
}
