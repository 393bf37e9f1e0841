using System;
using NetGen.Training;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>
/// What the optimizers do where PyTorch's trajectories (<see cref="PyTorchTests"/>) do not reach:
/// gradients that stay 0 for long enough that the averages decay below float's normal range.
/// </summary>
public sealed class OptimizerTests
{
    /// <summary>Parameters, one more than two vectors of 16, so that every path and a tail run.</summary>
    private const int Length = 37;

    /// <summary>
    /// After one gradient, 1,500 steps of zero gradients: the first moment falls below 2⁻¹²⁶ after
    /// about 830 steps, where the optimizer stores 0 and PyTorch keeps a subnormal (stuck at 2⁻¹⁴⁹).
    /// The parameters must keep, bit for bit, the values of PyTorch's formula in float32 without
    /// that flush, step by step.
    /// </summary>
    [Fact]
    public void Adam_stores_subnormal_moments_as_zero_and_the_parameters_keep_PyTorchs_values()
    {
        var (m, _) = AdamAgainstItsFormula(1e-8f, (step, i) => step == 1 ? (i - 18) * 0.05f : 0f, steps: 1500);
        Assert.Contains(m, value => value != 0 && Math.Abs(value) < 1.17549435E-38f);
    }

    /// <summary>
    /// With ε = 0 a subnormal second moment is the whole denominator: a gradient of 1e-20 a step
    /// makes <c>v</c> about 1e-43 while <c>m</c> stays normal, and storing that <c>v</c> as 0 would
    /// divide by 0. Nothing is flushed, and the parameters keep the formula's values.
    /// </summary>
    [Fact]
    public void Adam_without_epsilon_keeps_a_subnormal_second_moment()
    {
        var (_, v) = AdamAgainstItsFormula(0f, (_, i) => (i + 1) * 1e-20f, steps: 20);
        Assert.Contains(v, value => value != 0 && value < 1.17549435E-38f);
    }

    /// <summary>
    /// Steps an <see cref="Adam"/> and <c>torch.optim.Adam</c>'s formula in float32, in the
    /// optimizer's order and with no flush, and checks the parameters bit for bit after every step;
    /// returns the formula's moments.
    /// </summary>
    private static (float[] M, float[] V) AdamAgainstItsFormula(float epsilon, Func<int, int, float> gradient, int steps)
    {
        const float Rate = 1e-3f, Beta1 = 0.9f, Beta2 = 0.999f;
        var parameters = Start();
        var expected = Start();
        var m = new float[Length];
        var v = new float[Length];
        var gradients = new float[Length];
        var adam = new Adam(Rate, Beta1, Beta2, epsilon);
        for (int step = 1; step <= steps; step++)
        {
            for (int i = 0; i < Length; i++)
            {
                gradients[i] = gradient(step, i);
            }

            adam.Step(parameters, gradients);

            double correction1 = 1 - Math.Pow(0.9, step);
            double correction2 = 1 - Math.Pow(0.999, step);
            float stepSize = -(float)(1e-3 / correction1);
            float inverse = (float)(1 / Math.Sqrt(correction2));
            for (int i = 0; i < Length; i++)
            {
                float g = gradients[i];
                m[i] = (m[i] * Beta1) + (g * (float)(1 - 0.9));
                v[i] = (v[i] * Beta2) + ((float)(1 - 0.999) * g * g);
                expected[i] += stepSize * m[i] / ((MathF.Sqrt(v[i]) * inverse) + epsilon);
            }

            for (int i = 0; i < Length; i++)
            {
                Assert.True(
                    BitConverter.SingleToInt32Bits(parameters[i]) == BitConverter.SingleToInt32Bits(expected[i]),
                    $"Step {step}, parameter {i}: {parameters[i]:R}, PyTorch's formula {expected[i]:R}.");
            }
        }

        return (m, v);
    }

    /// <summary>As for Adam: SGD's momentum buffer decays to a subnormal where the gradient stays 0; the parameters keep the unflushed formula's values.</summary>
    [Fact]
    public void Sgd_stores_a_subnormal_momentum_as_zero_and_the_parameters_keep_PyTorchs_values()
    {
        var parameters = Start();
        var expected = Start();
        var buffer = new float[Length];
        var gradients = new float[Length];
        var sgd = new Sgd(0.01f, momentum: 0.9f);
        for (int step = 1; step <= 1500; step++)
        {
            for (int i = 0; i < Length; i++)
            {
                gradients[i] = step == 1 ? (i - 18) * 0.05f : 0f;
            }

            sgd.Step(parameters, gradients);
            for (int i = 0; i < Length; i++)
            {
                float g = gradients[i];
                buffer[i] = step == 1 ? g : (buffer[i] * 0.9f) + g;
                expected[i] += -0.01f * buffer[i];
            }

            for (int i = 0; i < Length; i++)
            {
                Assert.True(
                    BitConverter.SingleToInt32Bits(parameters[i]) == BitConverter.SingleToInt32Bits(expected[i]),
                    $"Step {step}, parameter {i}: {parameters[i]:R}, PyTorch's formula {expected[i]:R}.");
            }
        }

        Assert.Contains(buffer, value => value != 0 && Math.Abs(value) < 1.17549435E-38f);
    }

    private static float[] Start()
    {
        var values = new float[Length];
        for (int i = 0; i < Length; i++)
        {
            // Zero among them: a zero parameter shows any update, however small.
            values[i] = (i % 5) == 0 ? 0f : (i - 20) * 0.01f;
        }

        return values;
    }
}
