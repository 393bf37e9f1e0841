using System;

namespace NetGen.Training;

/// <summary>Gradient clipping.</summary>
public static class Clip
{
    /// <summary>
    /// Scales <paramref name="gradients"/> so that their L2 norm is at most <paramref name="maxNorm"/>,
    /// as <c>torch.nn.utils.clip_grad_norm_</c>: by <c>maxNorm / (norm + 1e-6)</c> when that is below 1.
    /// Returns the norm before clipping.
    /// </summary>
    /// <remarks>
    /// A gradient holding NaN or an infinity has a non-finite norm: it is returned as it is and
    /// the gradients are left unchanged, so that the caller can test the result and skip the
    /// step (PyTorch would multiply every gradient by NaN).
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is negative or NaN.</exception>
    public static float GradientNorm(Span<float> gradients, float maxNorm)
    {
        if (!(maxNorm >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "Expected a maximum norm of at least 0.");
        }

        double squares = 0;
        foreach (float g in gradients)
        {
            squares += (double)g * g;
        }

        double norm = Math.Sqrt(squares);
        if (double.IsNaN(norm) || double.IsInfinity(norm))
        {
            return (float)norm;
        }

        float coefficient = (float)(maxNorm / (norm + 1e-6));
        if (coefficient < 1f)
        {
            for (int i = 0; i < gradients.Length; i++)
            {
                gradients[i] *= coefficient;
            }
        }

        return (float)norm;
    }
}
