namespace NetGen.Gpu;

/// <summary>An element-wise function, alone or fused into the store of a linear layer.</summary>
public enum GpuActivation
{
    /// <summary><c>y = x</c>.</summary>
    None,

    /// <summary><c>y = max(0, x)</c>.</summary>
    Relu,

    /// <summary><c>y = x ≥ 0 ? x : α·x</c>.</summary>
    LeakyRelu,

    /// <summary>Exact GELU, <c>x·Φ(x)</c>.</summary>
    Gelu,

    /// <summary>GELU's tanh approximation.</summary>
    GeluTanh,

    /// <summary><c>x·sigmoid(x)</c>.</summary>
    Silu,

    /// <summary><c>1/(1+e^(-x))</c>.</summary>
    Sigmoid,

    /// <summary><c>tanh(x)</c>.</summary>
    Tanh,
}
