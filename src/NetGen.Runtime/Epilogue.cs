using System;

namespace NetGen.Runtime;

/// <summary>What a packed linear kernel applies to each output before it stores it.</summary>
public enum Epilogue
{
    /// <summary><c>y = W x + b</c>.</summary>
    None,

    /// <summary><c>y = max(0, W x + b)</c>: a ReLU fused into the store.</summary>
    Relu,

    /// <summary><c>y = GELU(W x + b)</c>, the exact form, fused into the store (the bits of <see cref="Activations.Gelu(ReadOnlySpan{float}, Span{float})"/>).</summary>
    Gelu,

    /// <summary><c>y = GELU(W x + b)</c>, the tanh form, fused into the store (the bits of <see cref="Activations.GeluTanh(ReadOnlySpan{float}, Span{float})"/>).</summary>
    GeluTanh,

    /// <summary><c>y = σ(W x + b)</c>, the logistic sigmoid, fused into the store (the bits of <see cref="Activations.Sigmoid(ReadOnlySpan{float}, Span{float})"/>).</summary>
    Sigmoid,

    /// <summary><c>y = SiLU(W x + b)</c>, fused into the store (the bits of <see cref="Activations.Silu(ReadOnlySpan{float}, Span{float})"/>).</summary>
    Silu,

    /// <summary><c>y = tanh(W x + b)</c>, fused into the store (the bits of <see cref="Activations.Tanh(ReadOnlySpan{float}, Span{float})"/>).</summary>
    Tanh,
}
