using System;
using Xunit;

namespace NetGen.Tests.Harness;

/// <summary>The format's accuracy contract (and the training contract's, for gradients), <c>|actual − reference| ≤ 1e-5·(1 + |reference|)</c>, as an assertion.</summary>
internal static class Accuracy
{
    /// <summary>Asserts the bound element-wise; returns the largest |actual - expected| / (1 + |expected|).</summary>
    public static double Compare(double[] expected, float[] actual, string context) => Compare(expected, actual, context, 1e-5);

    /// <summary>
    /// Asserts <c>|actual − reference| ≤ bound·(1 + |reference|)</c> element-wise (the training
    /// contract's gradients: 2e-5); returns the largest |actual - expected| / (1 + |expected|).
    /// </summary>
    public static double Compare(double[] expected, float[] actual, string context, double bound)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]) / (1 + Math.Abs(expected[i]));
            if (!(error <= bound))
            {
                Assert.Fail($"{context}: element {i} is {actual[i]:R}, expected {expected[i]:R} (relative error {error:E2} > {bound:E0})");
            }

            worst = Math.Max(worst, error);
        }

        return worst;
    }
}
