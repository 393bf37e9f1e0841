using System;
#if NET8_0_OR_GREATER
using System.Numerics.Tensors;
#endif
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen.Runtime;

/// <summary>Element-wise combinations of tensors: residual sums and gated products.</summary>
public static class Elementwise
{
    /// <summary><c>y = a + b</c> (a residual connection).</summary>
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) => TensorPrimitives.Add(a, b, y);

    /// <summary><c>y = x</c>; nothing to do when the two are the same memory (an identity layer whose output shares its input's scratch).</summary>
    public static void Copy(ReadOnlySpan<float> x, Span<float> y)
    {
        Guard.Length(y.Length, x.Length, nameof(y));
        if (!Unsafe.AreSame(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y)))
        {
            x.CopyTo(y);
        }
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
