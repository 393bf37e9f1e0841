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
    long GpuMinWeights = NetworkSpec.DefaultGpuMinWeights,
    EquatableArray<InputPart> Inputs = default,
    EquatableArray<ConstantSpec> Constants = default)
{
    /// <summary>
    /// The weights a linear layer needs to run on the GPU under <see cref="GpuLayers.Large"/>:
    /// 1 Mi weights (4 MiB) is past this machine's 1 MiB L2, where a CPU layer becomes bound by
    /// memory bandwidth. Not yet measured against a real GPU (none was available to the project).
    /// </summary>
    public const long DefaultGpuMinWeights = 1 << 20;

    /// <summary>The largest feature count a layer may have (16 Mi floats, 64 MiB a vector).</summary>
    public const int MaxFeatures = 1 << 24;
}

/// <summary>
/// A named part of the input (the format's <c>"inputs"</c>): a model with several inputs joined
/// on the feature axis, such as an agent's observations, takes them one after another; the
/// generated class says where each starts (<c>{Name}Offset</c>) and how long it is (<c>{Name}Size</c>).
/// </summary>
internal sealed record InputPart(string Name, int Size, SourceRange Range);

/// <summary>A named constant the model carries beside its output (the format's <c>"constants"</c>), as ONNX's constant graph outputs.</summary>
internal sealed record ConstantSpec(string Name, EquatableArray<float> Values, SourceRange Range);

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

/// <summary>The kind of a layer: a structural op, or one of the catalogue's activations (<see cref="Ops.Activations"/>).</summary>
internal enum LayerOp
{
    Linear,
    Affine,
    Activation,
    LayerNorm,
    RmsNorm,
    BatchNorm,
    Residual,
    SwiGlu,
    Slice,
    Mask,
    ArgMax,
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
/// <c>affine</c>: <c>y = x ⊙ scale + shift</c> with constant <see cref="Scale"/> and <see cref="Shift"/>,
/// each a vector of one value (for every feature) or of one value per feature, or null (1 and 0).
/// </summary>
internal sealed record AffineSpec(
    string? Name,
    SourceRange Range,
    SourceRange NameRange,
    TensorSpec? Scale,
    TensorSpec? Shift)
    : LayerSpec(LayerOp.Affine, Name, Range, NameRange);

/// <summary>
/// An activation of the catalogue (<see cref="Function"/>), as written in <see cref="Form"/>:
/// <see cref="Parameters"/> holds a value for each of the form's parameters, in order, with
/// defaults for absent keys. The checker applies each parameter's rule.
/// </summary>
internal sealed record ActivationSpec(
    ActivationOp Function,
    OpForm Form,
    string? Name,
    SourceRange Range,
    SourceRange NameRange,
    EquatableArray<ValueSpec> Parameters)
    : LayerSpec(LayerOp.Activation, Name, Range, NameRange)
{
    /// <summary>The activation with its parameters' defaults (a linear layer's <c>activation</c> shorthand).</summary>
    public static ActivationSpec WithDefaults(ActivationOp function, SourceRange range) =>
        new(function, function.Forms[0], null, range, SourceRange.None, function.Forms[0].Parameters.Select(p => ValueSpec.Default(p.Key, p.Default)).ToEquatableArray());

    /// <summary>The values inference uses, in the order of <see cref="ActivationOp.Parameters"/>.</summary>
    public EquatableArray<float> Arguments =>
        Function.Parameters.Select(p => (float)Parameters.First(v => v.Key == p.Key).Value).ToEquatableArray();
}

/// <summary>
/// A number a description gives a layer, kept with where and how it was written so the checker can
/// say what it expected: <see cref="Key"/> the catalogue's key, <see cref="Label"/> the key as the
/// form writes it (<c>"alpha"</c>, <c>Alpha</c>), <see cref="Written"/> the value as written.
/// </summary>
internal sealed record ValueSpec(string Key, double Value, SourceRange Range, string Label, string Written)
{
    /// <summary>A default value: nothing written, nothing to report.</summary>
    public static ValueSpec Default(string key, double value) => new(key, value, SourceRange.None, key, string.Empty);

    /// <summary>Whether the description wrote the value (a default is never reported).</summary>
    public bool IsWritten => Written.Length > 0;
}

/// <summary>
/// layer_norm, rms_norm or batch_norm. Absent optional tensors are null (not affine).
/// <see cref="RunningMean"/> and <see cref="RunningVar"/> are batch_norm's statistics.
/// </summary>
internal sealed record NormSpec(
    LayerOp Op,
    string? Name,
    SourceRange Range,
    SourceRange NameRange,
    ValueSpec Epsilon,
    TensorSpec? Weight,
    TensorSpec? Bias,
    TensorSpec? RunningMean,
    TensorSpec? RunningVar)
    : LayerSpec(Op, Name, Range, NameRange);

/// <summary>
/// <c>slice</c>: <c>y = x[Start : End]</c>, the features from <see cref="Start"/> up to, not
/// including, <see cref="End"/> (null: the input's size).
/// </summary>
internal sealed record SliceSpec(
    string? Name,
    SourceRange Range,
    SourceRange NameRange,
    int Start,
    SourceRange StartRange,
    int? End,
    SourceRange EndRange)
    : LayerSpec(LayerOp.Slice, Name, Range, NameRange);

/// <summary>
/// <c>mask</c>: <c>y = x ⊙ m + Fill ⊙ (1 − m)</c>, with <c>m</c> as many features of the
/// network's input as <c>x</c> has, from <see cref="Start"/>: of the input part named
/// <see cref="Input"/>, or of the whole input when null. An action mask of 1s and 0s keeps the
/// allowed values and sets the others to <see cref="Fill"/>.
/// </summary>
internal sealed record MaskSpec(
    string? Name,
    SourceRange Range,
    SourceRange NameRange,
    string? Input,
    SourceRange InputRange,
    int Start,
    SourceRange StartRange,
    float Fill)
    : LayerSpec(LayerOp.Mask, Name, Range, NameRange)
{
    /// <summary>The fill when none is given: ML-Agents' -1e8, far below any logit, and finite (so that <c>Fill ⊙ 0</c> is 0).</summary>
    public const float DefaultFill = -1e8f;

    /// <summary>The first feature of the network's input that <c>m</c> reads, given the input's parts.</summary>
    public int InputOffset(EquatableArray<InputPart> parts)
    {
        int offset = 0;
        foreach (var part in parts)
        {
            if (part.Name == Input)
            {
                return offset + Start;
            }

            offset += part.Size;
        }

        return Start;
    }
}

/// <summary>
/// <c>argmax</c>: the index, as a float, of the first largest value of each group of features
/// (<see cref="Groups"/>, their sizes in order; empty: one group of every feature), or with
/// <see cref="Last"/> the last of equal largest values (ONNX's <c>select_last_index</c>).
/// </summary>
internal sealed record ArgMaxSpec(
    string? Name,
    SourceRange Range,
    SourceRange NameRange,
    EquatableArray<int> Groups,
    SourceRange GroupsRange,
    bool Last = false)
    : LayerSpec(LayerOp.ArgMax, Name, Range, NameRange);

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
    /// <summary>The layer's op as its description names it (an activation by its canonical form).</summary>
    public static string Of(LayerSpec layer) => layer is ActivationSpec activation ? activation.Function.Forms[0].JsonName : Of(layer.Op);

    public static string Of(LayerOp op) => Ops.Layers.First(l => l.Op == op).JsonName;
}
