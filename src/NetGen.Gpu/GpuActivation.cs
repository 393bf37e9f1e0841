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

    /// <summary><c>x &gt; 0 ? x : α(eˣ − 1)</c>, α the first parameter.</summary>
    Elu,

    /// <summary>SELU, <c>λ(x &gt; 0 ? x : α(eˣ − 1))</c> with its fixed α and λ.</summary>
    Selu,

    /// <summary><c>βx &gt; threshold ? x : log(1 + e^(βx))/β</c>: β the first parameter, the threshold the second.</summary>
    Softplus,

    /// <summary><c>x·tanh(softplus(x))</c>.</summary>
    Mish,

    /// <summary><c>max(0, min(1, αx + β))</c>: α the first parameter, β the second.</summary>
    HardSigmoid,

    /// <summary><c>x·min(max(x + 3, 0), 6)/6</c>.</summary>
    HardSwish,

    /// <summary><c>min(max(x, min), max)</c>: the bounds are the two parameters.</summary>
    Clip,
}
