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
        const float Rate = 1e-3f, Beta1 = 0.9f, Beta2 = 0.999f, Epsilon = 1e-8f;
        var parameters = Start();
        var expected = Start();
        var m = new float[Length];
        var v = new float[Length];
        var gradients = new float[Length];
        var adam = new Adam(Rate, Beta1, Beta2, Epsilon);
        for (int step = 1; step <= 1500; step++)
        {
            for (int i = 0; i < Length; i++)
            {
                gradients[i] = step == 1 ? (i - 18) * 0.05f : 0f;
            }

            adam.Step(parameters, gradients);

            // torch.optim.Adam in float32, in the optimizer's order, with no flush.
            double correction1 = 1 - Math.Pow(0.9, step);
            double correction2 = 1 - Math.Pow(0.999, step);
            float stepSize = -(float)(1e-3 / correction1);
            float inverse = (float)(1 / Math.Sqrt(correction2));
            for (int i = 0; i < Length; i++)
            {
                float g = gradients[i];
                m[i] = (m[i] * Beta1) + (g * (float)(1 - 0.9));
                v[i] = (v[i] * Beta2) + ((float)(1 - 0.999) * g * g);
                expected[i] += stepSize * m[i] / ((MathF.Sqrt(v[i]) * inverse) + Epsilon);
            }

            for (int i = 0; i < Length; i++)
            {
                Assert.True(
                    BitConverter.SingleToInt32Bits(parameters[i]) == BitConverter.SingleToInt32Bits(expected[i]),
                    $"Step {step}, parameter {i}: {parameters[i]:R}, PyTorch's formula {expected[i]:R}.");
            }
        }

        Assert.Contains(m, value => value != 0 && Math.Abs(value) < 1.17549435E-38f);
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
