using System;
using NetGen.Runtime;

namespace NetGen.Training;

/// <summary>
/// Losses over a row-major batch, each returning the mean over the batch (as PyTorch's
/// <c>reduction="mean"</c>) and writing the gradient of that mean with respect to its first
/// argument: what <c>Model.BackwardBatch</c> takes as its output gradients. Sums are in double.
/// </summary>
public static class Loss
{
    /// <summary>
    /// <c>mean((predictions − targets)²)</c> over every element, as <c>F.mse_loss</c>; the gradient is
    /// <c>2 (predictions − targets) / n</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The three spans differ in length, or are empty.</exception>
    public static float MeanSquaredError(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, Span<float> gradients)
    {
        int n = predictions.Length;
        CheckSame(n, targets.Length, nameof(targets), gradients.Length);
        double sum = 0;
        double scale = 2.0 / n;
        for (int i = 0; i < n; i++)
        {
            double d = (double)predictions[i] - targets[i];
            sum += d * d;
            gradients[i] = (float)(scale * d);
        }

        return (float)(sum / n);
    }

    /// <summary>
    /// Cross-entropy from logits with one class index per row, as <c>F.cross_entropy</c>:
    /// <c>mean_r(log Σ_j e^(z_rj) − z_r,label)</c>, computed with the row's maximum subtracted; the
    /// gradient is <c>(softmax(z_r) − onehot(label_r)) / rows</c>.
    /// </summary>
    /// <param name="logits">The scores, <c>[rows, classes]</c>: <c>classes</c> is their length over the labels'.</param>
    /// <param name="labels">One class per row, in <c>[0, classes)</c>.</param>
    /// <param name="gradients">dL/d(logits), the logits' length.</param>
    /// <exception cref="ArgumentException">A length disagrees, or a label is outside <c>[0, classes)</c>.</exception>
    public static float CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, Span<float> gradients)
    {
        int rows = labels.Length;
        if (rows == 0 || logits.Length % rows != 0 || logits.Length == 0)
        {
            throw new ArgumentException($"Expected logits to hold one row of classes per label ({rows} labels), but its length is {logits.Length}.", nameof(logits));
        }

        int classes = logits.Length / rows;
        if (gradients.Length != logits.Length)
        {
            throw new ArgumentException($"Expected gradients to have the logits' length {logits.Length}, but it is {gradients.Length}.", nameof(gradients));
        }

        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            int label = labels[r];
            if ((uint)label >= (uint)classes)
            {
                throw new ArgumentException($"Expected every label in [0, {classes}), but labels[{r}] is {label}.", nameof(labels));
            }

            // The loss from the log-softmax (its log of the sum is taken in double), the gradient
            // from the softmax: both the runtime's vectorized kernels, which subtract the maximum.
            var z = logits.Slice(r * classes, classes);
            var g = gradients.Slice(r * classes, classes);
            Activations.LogSoftmax(z, g);
            total -= g[label];
            Activations.Softmax(z, g);
            float scale = 1f / rows;
            for (int j = 0; j < classes; j++)
            {
                g[j] *= scale;
            }

            g[label] -= scale;
        }

        return (float)(total / rows);
    }

    /// <summary>
    /// Binary cross-entropy from logits, as <c>F.binary_cross_entropy_with_logits</c>:
    /// <c>mean(max(z, 0) − z·t + log(1 + e^(−|z|)))</c> over every element, stable for any <c>z</c>;
    /// the gradient is <c>(sigmoid(z) − t) / n</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The three spans differ in length, or are empty.</exception>
    public static float BinaryCrossEntropyWithLogits(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, Span<float> gradients)
    {
        int n = logits.Length;
        CheckSame(n, targets.Length, nameof(targets), gradients.Length);
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            double z = logits[i], t = targets[i];
            sum += Math.Max(z, 0) - (z * t) + Log1p(Math.Exp(-Math.Abs(z)));
            double sigmoid = z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));
            gradients[i] = (float)((sigmoid - t) / n);
        }

        return (float)(sum / n);
    }

    /// <summary><c>log(1 + v)</c> for <c>v</c> in [0, 1], accurate where <c>v</c> is tiny.</summary>
    private static double Log1p(double v)
    {
        double u = 1 + v;
        return u == 1 ? v : Math.Log(u) * v / (u - 1);
    }

    private static void CheckSame(int n, int targets, string targetsName, int gradients)
    {
        if (n == 0)
        {
            throw new ArgumentException("Expected at least one prediction, but the span is empty.", "predictions");
        }

        if (targets != n)
        {
            throw new ArgumentException($"Expected {targetsName} to have the predictions' length {n}, but it is {targets}.", targetsName);
        }

        if (gradients != n)
        {
            throw new ArgumentException($"Expected gradients to have the predictions' length {n}, but it is {gradients}.", "gradients");
        }
    }
}
