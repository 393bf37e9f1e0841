using System.Linq;

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
    NetworkStrategy Strategy = NetworkStrategy.Auto,
    GpuLayers Gpu = GpuLayers.None,
    long GpuMinWeights = NetworkSpec.DefaultGpuMinWeights)
{
    /// <summary>
    /// The weights a linear layer needs to run on the GPU under <see cref="GpuLayers.Large"/>:
    /// 1 Mi weights (4 MiB) is past this machine's 1 MiB L2, where a CPU layer becomes bound by
    /// memory bandwidth. Not yet measured against a real GPU (none was available to the project).
    /// </summary>
    public const long DefaultGpuMinWeights = 1 << 20;
}

/// <summary>Which linear layers a GPU session runs on the device (the format's <c>gpu</c> key).</summary>
internal enum GpuLayers
{
    /// <summary>Only layers marked <c>"gpu": true</c>; with none, the network has no GPU session.</summary>
    None,

    /// <summary>Layers with at least <see cref="NetworkSpec.GpuMinWeights"/> weights, and marked ones.</summary>
    Large,

    /// <summary>Every linear layer not marked <c>"gpu": false</c>.</summary>
    All,
}

/// <summary>The code generation strategy a description or a class asks for (the format's <c>strategy</c> key).</summary>
internal enum NetworkStrategy
{
    /// <summary>Chosen per layer by size (<see cref="Lowering.NetworkPlanner.UnrollLimit"/>).</summary>
    Auto,

    /// <summary>Every linear layer unrolled into scalar code.</summary>
    Unrolled,

    /// <summary>Every linear layer a call into the runtime's packed kernels.</summary>
    Kernel,

    /// <summary>Every linear layer a generated SIMD loop over weights packed at build time.</summary>
    Vectorized,
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

/// <summary>
/// A tensor as written: its shape and row-major float32 values, or, for the <c>"file"</c>
/// encoding, where the values are (<see cref="External"/>, with <see cref="Values"/> empty).
/// </summary>
/// <remarks>Equality contract: shape, values (bitwise float equality semantics of <see cref="float.Equals(float)"/>), external data and range.</remarks>
internal sealed record TensorSpec(EquatableArray<int> Shape, EquatableArray<float> Values, SourceRange Range, ExternalData? External = null)
{
    public int ElementCount => External is null ? Values.Count : Shape.Aggregate(1, (product, d) => product * d);
}

/// <summary>
/// Where a <c>"file"</c> tensor's values are at run time: <see cref="ResourceName"/> is the
/// manifest resource the build embeds the file as, <see cref="Offset"/> the byte where the
/// tensor starts in it. <see cref="File"/> is the name as the description writes it, for comments.
/// </summary>
internal sealed record ExternalData(string File, string ResourceName, long Offset);

/// <summary>One layer of a description; <see cref="Range"/> is the layer object, <see cref="NameRange"/> its name.</summary>
internal abstract record LayerSpec(LayerOp Op, string? Name, SourceRange Range, SourceRange NameRange);

/// <summary>
/// <c>linear</c>: <c>y = W x + b</c>, optionally followed by an activation (the shorthand).
/// <see cref="Gpu"/> is the layer's own <c>gpu</c> key: true on the device, false on the CPU, null as the network says.
/// </summary>
internal sealed record LinearSpec(
    string? Name,
    SourceRange Range,
    SourceRange NameRange,
    int Out,
    SourceRange OutRange,
    TensorSpec Weight,
    TensorSpec? Bias,
    ActivationSpec? Activation,
    bool? Gpu = null)
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

/// <summary><c>swiglu</c>: <c>y = down · (silu(gate · x) ⊙ (up · x))</c>; <see cref="Gpu"/> places its three projections.</summary>
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
    TensorSpec Down,
    bool? Gpu = null)
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
