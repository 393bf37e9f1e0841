using System;
using System.Diagnostics;

namespace NetGen;

// The attribute form of a network description. Each attribute is one layer of the JSON
// format (docs/netgen-json.md) and means exactly what that layer means there; they apply in
// declaration order. Tensors are written as text: numbers separated by spaces or commas,
// matrix rows separated by ';' ("1 0; 0 1; -1 1" is 3 rows of 2), parsed culture-invariantly.
//
// [Conditional] keeps them out of the compiled assembly: the generator reads them from the
// source, and the weights live once, in the generated code's data.

/// <summary>The activations a <see cref="LinearAttribute"/> can apply, each with its default settings.</summary>
public enum Activation
{
    /// <summary>No activation.</summary>
    None,

    /// <summary><c>y = x</c>.</summary>
    Identity,

    /// <summary><c>max(0, x)</c>.</summary>
    Relu,

    /// <summary><c>x ≥ 0 ? x : 0.01·x</c>.</summary>
    LeakyRelu,

    /// <summary>Exact GELU, <c>x·Φ(x)</c>.</summary>
    Gelu,

    /// <summary><c>x·sigmoid(x)</c>.</summary>
    Silu,

    /// <summary><c>1/(1+e^(-x))</c>.</summary>
    Sigmoid,

    /// <summary><c>tanh(x)</c>.</summary>
    Tanh,

    /// <summary>Softmax over the whole vector.</summary>
    Softmax,

    /// <summary>Log-softmax over the whole vector.</summary>
    LogSoftmax,

    /// <summary><c>x &gt; 0 ? x : eˣ − 1</c> (ELU with α = 1).</summary>
    Elu,

    /// <summary>SELU, <c>λ(x &gt; 0 ? x : α(eˣ − 1))</c>.</summary>
    Selu,

    /// <summary><c>log(1 + eˣ)</c> (softplus with β = 1, threshold 20).</summary>
    Softplus,

    /// <summary><c>x·tanh(softplus(x))</c>.</summary>
    Mish,

    /// <summary><c>max(0, min(1, x/6 + ½))</c>, as PyTorch's <c>hardsigmoid</c>.</summary>
    HardSigmoid,

    /// <summary><c>x·min(max(x + 3, 0), 6)/6</c>.</summary>
    HardSwish,
}

/// <summary>The base of every layer attribute.</summary>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public abstract class LayerAttribute : Attribute
{
    /// <summary>Names the layer's output in the generated <c>Cache</c> (letters, digits and '_', starting with a letter).</summary>
    public string? Name { get; set; }
}

/// <summary><c>y = W x + b</c>, as PyTorch's <c>nn.Linear</c> (W stored <c>[out, in]</c>).</summary>
/// <param name="outFeatures">The number of outputs: the weight's rows.</param>
/// <param name="weight">The weight matrix, rows separated by ';': <c>"1 0; 0 1; -1 1"</c>.</param>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LinearAttribute(int outFeatures, string weight) : LayerAttribute
{
    /// <summary>The number of outputs.</summary>
    public int OutFeatures { get; } = outFeatures;

    /// <summary>The weight matrix as text.</summary>
    public string Weight { get; } = weight;

    /// <summary>The bias vector, <c>"0 1 0"</c>; absent means no bias.</summary>
    public string? Bias { get; set; }

    /// <summary>An activation applied to the output (a layer of its own in the Cache).</summary>
    public Activation Activation { get; set; }

    /// <summary>
    /// Where a GPU session runs this layer: <c>true</c> on the device, <c>false</c> on the CPU;
    /// unset, as <see cref="NetworkAttribute.Gpu"/> says (see <c>NetGen.Gpu</c>).
    /// </summary>
    public bool Gpu { get; set; }
}

/// <summary><c>y = x</c>.</summary>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class IdentityAttribute : LayerAttribute;

/// <summary>Dropout at inference: <c>y = x</c>.</summary>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : LayerAttribute
{
    /// <summary>The training-time drop probability, in [0, 1); ignored at inference.</summary>
    public float P { get; set; }
}

/// <summary><c>max(0, x)</c>.</summary>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ReluAttribute : LayerAttribute;

/// <summary><c>x ≥ 0 ? x : alpha·x</c>.</summary>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LeakyReluAttribute : LayerAttribute
{
    /// <summary>The slope for negative inputs (default 0.01).</summary>
    public float Alpha { get; set; } = 0.01f;
}

/// <summary>ELU, <c>x &gt; 0 ? x : α(eˣ − 1)</c>, as <c>torch.nn.ELU</c>.</summary>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class EluAttribute : LayerAttribute
{
    /// <summary>α (default 1).</summary>
    public float Alpha { get; set; } = 1f;
}

/// <summary>SELU, <c>λ(x &gt; 0 ? x : α(eˣ − 1))</c> with α ≈ 1.6733 and λ ≈ 1.0507, as <c>torch.nn.SELU</c>.</summary>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SeluAttribute : LayerAttribute;

/// <summary>Softplus, <c>βx &gt; threshold ? x : log(1 + e^(βx))/β</c>, as <c>torch.nn.Softplus</c>.</summary>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SoftplusAttribute : LayerAttribute
{
    /// <summary>β (default 1; positive).</summary>
    public float Beta { get; set; } = 1f;

    /// <summary>Above this value of βx the output is x (default 20).</summary>
    public float Threshold { get; set; } = 20f;
}

/// <summary>Mish, <c>x·tanh(softplus(x))</c>, as <c>torch.nn.Mish</c>.</summary>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MishAttribute : LayerAttribute;

/// <summary><c>max(0, min(1, αx + β))</c>; the defaults are PyTorch's <c>nn.Hardsigmoid</c> (ONNX's are α = 0.2, β = 0.5).</summary>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class HardSigmoidAttribute : LayerAttribute
{
    /// <summary>α (default 1/6).</summary>
    public float Alpha { get; set; } = 1f / 6f;

    /// <summary>β (default 0.5).</summary>
    public float Beta { get; set; } = 0.5f;
}

/// <summary><c>x·min(max(x + 3, 0), 6)/6</c>, as <c>torch.nn.Hardswish</c>.</summary>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class HardSwishAttribute : LayerAttribute;

/// <summary><c>min(max(x, Min), Max)</c>, as <c>torch.clamp</c>; a bound not set is none.</summary>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ClipAttribute : LayerAttribute
{
    /// <summary>The lower bound (default: none).</summary>
    public float Min { get; set; } = float.NegativeInfinity;

    /// <summary>The upper bound (default: none).</summary>
    public float Max { get; set; } = float.PositiveInfinity;
}

/// <summary>GELU, <c>x·Φ(x)</c>, exact or with the tanh approximation.</summary>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GeluAttribute : LayerAttribute
{
    /// <summary>True for <c>approximate="tanh"</c>.</summary>
    public bool TanhApproximation { get; set; }
}

/// <summary><c>x·sigmoid(x)</c> (SiLU, swish).</summary>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SiluAttribute : LayerAttribute;

/// <summary><c>1/(1+e^(-x))</c>.</summary>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SigmoidAttribute : LayerAttribute;

/// <summary><c>tanh(x)</c>.</summary>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class TanhAttribute : LayerAttribute;

/// <summary>Softmax over the whole vector.</summary>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SoftmaxAttribute : LayerAttribute;

/// <summary>Log-softmax over the whole vector.</summary>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LogSoftmaxAttribute : LayerAttribute;

/// <summary>Layer normalization, as <c>nn.LayerNorm(n)</c>.</summary>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LayerNormAttribute : LayerAttribute
{
    /// <summary>ε (default 1e-5).</summary>
    public double Eps { get; set; } = 1e-5;

    /// <summary>γ; absent means 1 (not affine).</summary>
    public string? Weight { get; set; }

    /// <summary>β; absent means 0.</summary>
    public string? Bias { get; set; }
}

/// <summary>
/// <c>y = x ⊙ Scale + Shift</c> with constants (an input normaliser, a rescaled output): each a
/// vector string of one value per feature, or of one value for every feature; absent, 1 and 0.
/// </summary>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AffineAttribute : LayerAttribute
{
    /// <summary>The scale, such as <c>"0.5"</c> or <c>"1 2 4"</c>; absent means 1.</summary>
    public string? Scale { get; set; }

    /// <summary>The shift; absent means 0.</summary>
    public string? Shift { get; set; }
}

/// <summary>The features from <paramref name="start"/> up to, not including, <paramref name="end"/>: <c>y = x[start : end]</c>.</summary>
/// <param name="start">The first feature kept.</param>
/// <param name="end">One past the last feature kept.</param>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SliceAttribute(int start, int end) : LayerAttribute
{
    /// <summary>The first feature kept.</summary>
    public int Start { get; } = start;

    /// <summary>One past the last feature kept.</summary>
    public int End { get; } = end;
}

/// <summary>
/// A mask from the network's input: <c>y = x ⊙ m + fill ⊙ (1 − m)</c>, where <c>m</c> is as many
/// input features as this layer has, from <see cref="Start"/>. With an action mask of 1s
/// (allowed) and 0s, the allowed values pass and the others become <see cref="Fill"/>.
/// </summary>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaskAttribute : LayerAttribute
{
    /// <summary>The first feature of the network's input that the mask reads (default 0).</summary>
    public int Start { get; set; }

    /// <summary>The value of a masked feature (default -1e8, ML-Agents' value); finite.</summary>
    public float Fill { get; set; } = -1e8f;
}

/// <summary>
/// The index, as a float, of the first largest value of each group of features: one output per
/// group. No groups: one group of every feature. Has no gradient (training passes back zeros).
/// </summary>
/// <param name="groups">The sizes of the groups, in order; they add up to the layer's input.</param>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ArgMaxAttribute(params int[] groups) : LayerAttribute
{
    /// <summary>The sizes of the groups, in order.</summary>
    public int[] Groups { get; } = groups;

    /// <summary>Whether of equal largest values the last is picked (ONNX's <c>select_last_index</c>); default the first.</summary>
    public bool Last { get; set; }
}

/// <summary>RMS normalization, <c>x/√(mean(x²)+ε) ⊙ weight</c>.</summary>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class RmsNormAttribute : LayerAttribute
{
    /// <summary>ε (default 1e-6).</summary>
    public double Eps { get; set; } = 1e-6;

    /// <summary>The weight; absent means 1.</summary>
    public string? Weight { get; set; }
}

/// <summary>Inference batch normalization, as eval-mode <c>nn.BatchNorm1d(n)</c>.</summary>
/// <param name="runningMean">The running mean.</param>
/// <param name="runningVar">The running variance.</param>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNormAttribute(string runningMean, string runningVar) : LayerAttribute
{
    /// <summary>The running mean as text.</summary>
    public string RunningMean { get; } = runningMean;

    /// <summary>The running variance as text.</summary>
    public string RunningVar { get; } = runningVar;

    /// <summary>ε (default 1e-5).</summary>
    public double Eps { get; set; } = 1e-5;

    /// <summary>γ; absent means 1.</summary>
    public string? Weight { get; set; }

    /// <summary>β; absent means 0.</summary>
    public string? Bias { get; set; }
}

/// <summary>
/// Opens a residual block, <c>y = x + f(x)</c>: the layers up to the matching
/// <see cref="EndResidualAttribute"/> are f, and must keep the size.
/// </summary>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ResidualAttribute : LayerAttribute;

/// <summary>Closes the innermost open <see cref="ResidualAttribute"/> block.</summary>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class EndResidualAttribute : Attribute;

/// <summary>The Llama-style gated feed-forward block, <c>y = down · (silu(gate · x) ⊙ (up · x))</c>, no biases.</summary>
/// <param name="hidden">The hidden size: the rows of gate and up.</param>
/// <param name="gate">The gate matrix, <c>[hidden, in]</c>.</param>
/// <param name="up">The up matrix, <c>[hidden, in]</c>.</param>
/// <param name="down">The down matrix, <c>[out, hidden]</c>.</param>
[Conditional("NETGEN_KEEP_ATTRIBUTES")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SwiGluAttribute(int hidden, string gate, string up, string down) : LayerAttribute
{
    /// <summary>The hidden size.</summary>
    public int Hidden { get; } = hidden;

    /// <summary>The gate matrix as text.</summary>
    public string Gate { get; } = gate;

    /// <summary>The up matrix as text.</summary>
    public string Up { get; } = up;

    /// <summary>The down matrix as text.</summary>
    public string Down { get; } = down;

    /// <summary>
    /// Where a GPU session runs the block's three projections: <c>true</c> on the device,
    /// <c>false</c> on the CPU; unset, as <see cref="NetworkAttribute.Gpu"/> says.
    /// </summary>
    public bool Gpu { get; set; }

    /// <summary>The output size; 0 (the default) means the input size.</summary>
    public int Out { get; set; }
}
