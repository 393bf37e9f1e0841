using System.Linq;
using NetGen.Generator.Model;

namespace NetGen.Generator.Lowering;

/// <summary>
/// What the emitter writes, decided: the tensors with their scratch offsets, the weight
/// data in the order kernels read it, one step per kernel call, and the description's GPU placement rule.
/// </summary>
/// <remarks>Equality contract: value equality over every member.</remarks>
/// <param name="SourceFileName">Where the description came from, for the generated file's header and docs.</param>
internal sealed record NetworkPlan(
    string SourceFileName,
    string? Description,
    int InputSize,
    int OutputSize,
    string OutputTensor,
    long ParameterCount,
    EquatableArray<TensorPlan> Tensors,
    EquatableArray<WeightPlan> Weights,
    EquatableArray<StepPlan> Steps,
    int ScratchLength,
    EquatableArray<SummaryRow> Summary,
    GpuLayers Gpu = GpuLayers.None,
    long GpuMinWeights = NetworkSpec.DefaultGpuMinWeights)
{
    /// <summary>The name steps use for the network's input.</summary>
    public const string Input = "input";
}

/// <summary>
/// An intermediate tensor: a field of the Cache, and a slice of scratch memory at
/// <see cref="ScratchOffset"/> when no Cache is given (-1 for the network's output,
/// which is written straight into the caller's span).
/// </summary>
internal sealed record TensorPlan(string Name, int Size, int ScratchOffset, string Summary);

/// <summary>
/// Constant data a step reads: a weight matrix, a bias, or folded norm constants. Its values
/// are in <see cref="Values"/>, or in an embedded weight file (<see cref="External"/>).
/// </summary>
internal sealed record WeightPlan(string Name, EquatableArray<int> Shape, EquatableArray<float> Values, string Summary, ExternalData? External = null)
{
    /// <summary>The number of values: the product of the shape.</summary>
    public int Count => Shape.Aggregate(1, (product, d) => product * d);
}

internal enum StepKind
{
    Linear,
    Copy,
    Relu,
    LeakyRelu,
    Gelu,
    GeluTanh,
    Silu,
    Sigmoid,
    Tanh,
    Softmax,
    LogSoftmax,
    LayerNorm,
    RmsNorm,
    BatchNorm,
    Add,
    SwiGluGate,
}

/// <summary>
/// One kernel call: <see cref="Inputs"/> are tensor names (or <see cref="NetworkPlan.Input"/>),
/// <see cref="Weights"/> weight names in the kernel's parameter order (empty string: absent),
/// <see cref="Scalar"/> the op's constant (leaky_relu's alpha, a norm's epsilon).
/// <see cref="Layer"/> says which layer of the description the step belongs to, for comments;
/// <see cref="Gpu"/> is a linear step's own GPU placement, if its layer states one.
/// </summary>
internal sealed record StepPlan(
    StepKind Kind,
    EquatableArray<string> Inputs,
    string Output,
    EquatableArray<string> Weights,
    double Scalar,
    string Layer,
    LinearStrategy Strategy = LinearStrategy.Kernel,
    bool? Gpu = null);

/// <summary>How a linear step becomes code (see <see cref="NetworkPlanner.UnrollLimit"/>).</summary>
internal enum LinearStrategy
{
    /// <summary>A call into <c>NetGen.Runtime.PackedLinear</c> over weights packed at build time.</summary>
    Kernel,

    /// <summary>Straight-line scalar code with the weights as literals.</summary>
    Unrolled,

    /// <summary>
    /// A generated SIMD loop over the same packed weights as <see cref="Kernel"/>, summing in
    /// the same order (so the same bits); <c>ForwardBatch</c> calls the kernel for it.
    /// </summary>
    Vectorized,
}

/// <summary>One row of the summary table in the generated file's header.</summary>
internal sealed record SummaryRow(string Tensor, string Op, int OutputSize, long Parameters, long MultiplyAdds);
