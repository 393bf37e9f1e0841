using System;
using System.Numerics.Tensors;

namespace NetGen.Runtime;

/// <summary>Element-wise combinations of tensors: residual sums and gated products.</summary>
public static class Elementwise
{
    /// <summary><c>y = a + b</c> (a residual connection).</summary>
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Add(a, b, y);

    /// <summary><c>y = x</c>.</summary>
    public static void Copy(ReadOnlySpan<float> x, Span<float> y)
    {
        Guard.Length(y.Length, x.Length, nameof(y));
        x.CopyTo(y);
    }

    /// <summary><c>h = silu(gate) ⊙ up</c>, the gating of a SwiGLU block.</summary>
    public static void SwiGluGate(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> h)
    {
        Guard.Length(up.Length, gate.Length, nameof(up));
        TensorPrimitives.Sigmoid(gate, h);
        TensorPrimitives.Multiply(h, gate, h);
        TensorPrimitives.Multiply(h, up, h);
    }
}
