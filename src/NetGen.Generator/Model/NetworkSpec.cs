namespace NetGen.Generator.Model;

/// <summary>
/// A network as a description states it, before shapes are checked: the common model
/// that every reader (JSON today, attributes next) produces and every later stage consumes.
/// </summary>
/// <remarks>
/// Equality contract: value equality over every member (records, <see cref="EquatableArray{T}"/>),
/// so two reads of the same description are equal and the pipeline caches them.
/// The model holds strings, numbers, enums and arrays only: no Roslyn or JSON types.
/// </remarks>
internal sealed record NetworkSpec(
    string FilePath,
    int InputSize,
    SourceRange InputRange,
    string? Description,
    EquatableArray<LayerSpec> Layers,
    SourceRange LayersRange,
    NetworkStrategy Strategy = NetworkStrategy.Auto);

/// <summary>The code generation strategy a description or a class asks for (the format's <c>strategy</c> key).</summary>
internal enum NetworkStrategy
{
    /// <summary>Chosen per layer by size (<see cref="Lowering.NetworkPlanner.UnrollLimit"/>).</summary>
    Auto,

    /// <summary>Every linear layer unrolled into scalar code.</summary>
    Unrolled,

    /// <summary>Every linear layer a call into the runtime's packed kernels.</summary>
    Kernel,
}

/// <summary>The op of a layer, as the format names it.</summary>
internal enum LayerOp
{
    Linear,
    Identity,
    Relu,
    LeakyRelu,
    Gelu,
    Silu,
    Sigmoid,
    Tanh,
    Softmax,
    LogSoftmax,
    LayerNorm,
    RmsNorm,
    BatchNorm,
    Residual,
    SwiGlu,
}

/// <summary>A tensor as written: its shape and row-major float32 values.</summary>
/// <remarks>Equality contract: shape, values (bitwise float equality semantics of <see cref="float.Equals(float)"/>) and range.</remarks>
internal sealed record TensorSpec(EquatableArray<int> Shape, EquatableArray<float> Values, SourceRange Range)
{
    public int ElementCount => Values.Count;
}

/// <summary>One layer of a description; <see cref="Range"/> is the layer object, <see cref="NameRange"/> its name.</summary>
internal abstract record LayerSpec(LayerOp Op, string? Name, SourceRange Range, SourceRange NameRange);

/// <summary><c>linear</c>: <c>y = W x + b</c>, optionally followed by an activation (the shorthand).</summary>
internal sealed record LinearSpec(
    string? Name,
    SourceRange Range,
    SourceRange NameRange,
    int Out,
    SourceRange OutRange,
    TensorSpec Weight,
    TensorSpec? Bias,
    ActivationSpec? Activation)
    : LayerSpec(LayerOp.Linear, Name, Range, NameRange);

/// <summary>
/// An element-wise or whole-vector activation. <see cref="Alpha"/> is leaky_relu's slope,
/// <see cref="TanhApproximation"/> selects gelu's tanh form.
/// </summary>
internal sealed record ActivationSpec(
    LayerOp Op,
    string? Name,
    SourceRange Range,
    SourceRange NameRange,
    float Alpha = 0.01f,
    bool TanhApproximation = false)
    : LayerSpec(Op, Name, Range, NameRange);

/// <summary>
/// layer_norm, rms_norm or batch_norm. Absent optional tensors are null (not affine).
/// <see cref="RunningMean"/> and <see cref="RunningVar"/> are batch_norm's statistics.
/// </summary>
internal sealed record NormSpec(
    LayerOp Op,
    string? Name,
    SourceRange Range,
    SourceRange NameRange,
    double Epsilon,
    TensorSpec? Weight,
    TensorSpec? Bias,
    TensorSpec? RunningMean,
    TensorSpec? RunningVar)
    : LayerSpec(Op, Name, Range, NameRange);

/// <summary><c>residual</c>: <c>y = x + f(x)</c> where f is <see cref="Layers"/>.</summary>
internal sealed record ResidualSpec(
    string? Name,
    SourceRange Range,
    SourceRange NameRange,
    EquatableArray<LayerSpec> Layers)
    : LayerSpec(LayerOp.Residual, Name, Range, NameRange);

/// <summary><c>swiglu</c>: <c>y = down · (silu(gate · x) ⊙ (up · x))</c>.</summary>
internal sealed record SwiGluSpec(
    string? Name,
    SourceRange Range,
    SourceRange NameRange,
    int Hidden,
    SourceRange HiddenRange,
    int? Out,
    SourceRange OutRange,
    TensorSpec Gate,
    TensorSpec Up,
    TensorSpec Down)
    : LayerSpec(LayerOp.SwiGlu, Name, Range, NameRange);

/// <summary>The names the format gives its ops.</summary>
internal static class LayerOpNames
{
    public static string Of(LayerOp op) => op switch
    {
        LayerOp.Linear => "linear",
        LayerOp.Identity => "identity",
        LayerOp.Relu => "relu",
        LayerOp.LeakyRelu => "leaky_relu",
        LayerOp.Gelu => "gelu",
        LayerOp.Silu => "silu",
        LayerOp.Sigmoid => "sigmoid",
        LayerOp.Tanh => "tanh",
        LayerOp.Softmax => "softmax",
        LayerOp.LogSoftmax => "log_softmax",
        LayerOp.LayerNorm => "layer_norm",
        LayerOp.RmsNorm => "rms_norm",
        LayerOp.BatchNorm => "batch_norm",
        LayerOp.Residual => "residual",
        _ => "swiglu",
    };
}
