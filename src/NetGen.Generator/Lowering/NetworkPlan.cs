using System.Linq;
using NetGen.Generator.Model;

namespace NetGen.Generator.Lowering;

/// <summary>
/// Everything the emitters write, decided: the tensors with their scratch offsets, the constant
/// data and how each is stored, one step per kernel call with its strategy, fusions and
/// placement, and the batch block. Emitters read it and make no choice of their own.
/// </summary>
/// <remarks>Equality contract: value equality over every member.</remarks>
/// <param name="SourceFileName">Where the description came from, for the generated file's header and docs.</param>
/// <param name="Strategy">The network-wide strategy in force: the class's attribute, else the project's <c>NetGenStrategy</c>, else the description's.</param>
/// <param name="BatchRows">Samples <c>ForwardBatch</c> runs through each layer together; 0 when every layer is unrolled and it runs one sample at a time.</param>
/// <param name="HasGpuLayers">Whether the network's GPU rule places some linear step on the device.</param>
/// <param name="GpuSession">Whether the class gets <c>CreateGpuSession</c>: some step runs on the device and NetGen.Gpu is referenced.</param>
/// <param name="SkipLocalsInit">Whether the class is marked <c>[SkipLocalsInit]</c>: every step writes its whole output before any step reads it, so zeroing stack scratch per call is wasted work.</param>
/// <param name="Language">The C# the code is written in: how the Cache and the weights are declared.</param>
/// <param name="InLocals">Whether <c>Forward</c> keeps every tensor in a local (see <see cref="HasBatchCore"/>'s remarks).</param>
/// <param name="Training">The trainable <c>Model</c>, when the class asks for one.</param>
/// <param name="Inputs">The description's named parts of the input, in order (<c>"inputs"</c>).</param>
/// <param name="Constants">The description's named constants (<c>"constants"</c>).</param>
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
    NetworkStrategy Strategy,
    int BatchRows,
    bool HasGpuLayers,
    bool GpuSession,
    bool SkipLocalsInit,
    OutputLanguage Language = OutputLanguage.CSharp12,
    bool InLocals = false,
    TrainingPlan? Training = null,
    EquatableArray<InputPart> Inputs = default,
    EquatableArray<ConstantSpec> Constants = default)
{
    /// <summary>The name steps use for the network's input.</summary>
    public const string Input = "input";

    /// <summary>Whether <c>ForwardBatch</c> runs blocks of samples through matrix-matrix kernels.</summary>
    /// <remarks>
    /// With <c>InLocals</c> (every step an unrolled layer or a one-value activation, and few
    /// values: <see cref="NetworkPlanner.LocalsLimit"/>), <c>Forward</c> and <c>ForwardBatch</c>
    /// keep every tensor in a local, which the JIT holds in registers, and store only the output;
    /// they need no scratch, and only <c>Forward(..., ref cache)</c> writes the tensors to memory.
    /// </remarks>
    public bool HasBatchCore => BatchRows > 0;
}

/// <summary>
/// An intermediate tensor: a field of the Cache, and a slice of scratch memory at
/// <see cref="ScratchOffset"/> when no Cache is given (-1 for the network's output,
/// which is written straight into the caller's span).
/// </summary>
internal sealed record TensorPlan(string Name, int Size, int ScratchOffset, string Summary);

/// <summary>
/// Constant data a step reads: a weight matrix, a bias, or folded norm constants. Its values
/// are in <see cref="Values"/>, or in an embedded weight file (<see cref="External"/>);
/// <see cref="Storage"/> says how the generated class holds them.
/// </summary>
internal sealed record WeightPlan(string Name, EquatableArray<int> Shape, EquatableArray<float> Values, string Summary, ExternalData? External = null, WeightStorage Storage = WeightStorage.Values)
{
    /// <summary>The number of values: the product of the shape.</summary>
    public int Count => Shape.Aggregate(1, (product, d) => product * d);
}

/// <summary>How the generated class holds a <see cref="WeightPlan"/>.</summary>
internal enum WeightStorage
{
    /// <summary>Not at all: only unrolled code reads it, as literals.</summary>
    Inline,

    /// <summary>As written, row-major.</summary>
    Values,

    /// <summary>Packed in panels of <c>Contract.PanelWidth</c> rows, the order the kernels and vectorized loops read.</summary>
    Packed,
}

internal enum StepKind
{
    Linear,
    Activation,
    LayerNorm,
    RmsNorm,
    BatchNorm,
    Affine,
    Slice,
    Mask,
    ArgMax,
    Add,
    SwiGluGate,
}

/// <summary>
/// One kernel call: <see cref="Inputs"/> are tensor names (or <see cref="NetworkPlan.Input"/>),
/// <see cref="Weights"/> weight names in the kernel's parameter order (empty string: absent),
/// <see cref="Scalar"/> a norm's epsilon (a slice's start, a mask's fill, an argmax's choice of the last of equal values: 1); an activation step's function is <see cref="Function"/>
/// with <see cref="Arguments"/>. <see cref="Layer"/> says which layer of the description the
/// step belongs to, for comments.
/// </summary>
/// <param name="Strategy">How a linear step becomes code.</param>
/// <param name="Method">The generated method of an unrolled or vectorized linear step (<c>Layer3_2</c>); empty otherwise.</param>
/// <param name="Fuses">Where the next step, an activation of this one's output, is computed in this step's stores.</param>
/// <param name="OnDevice">Whether the step runs on the GPU in a GPU session.</param>
internal sealed record StepPlan(
    StepKind Kind,
    EquatableArray<string> Inputs,
    string Output,
    EquatableArray<string> Weights,
    double Scalar,
    string Layer,
    LinearStrategy Strategy = LinearStrategy.Kernel,
    ActivationOp? Function = null,
    EquatableArray<float> Arguments = default,
    string Method = "",
    Fusion Fuses = Fusion.None,
    bool OnDevice = false)
{
    /// <summary>The step's op by the format's name, for comments and the plan's text (an activation by its catalogue name).</summary>
    public string OpName => Kind switch
    {
        StepKind.Activation => Function!.Name,
        StepKind.Linear => LayerOpNames.Of(LayerOp.Linear),
        StepKind.LayerNorm => LayerOpNames.Of(LayerOp.LayerNorm),
        StepKind.RmsNorm => LayerOpNames.Of(LayerOp.RmsNorm),
        StepKind.BatchNorm => LayerOpNames.Of(LayerOp.BatchNorm),
        StepKind.Affine => LayerOpNames.Of(LayerOp.Affine),
        StepKind.Slice => LayerOpNames.Of(LayerOp.Slice),
        StepKind.Mask => LayerOpNames.Of(LayerOp.Mask),
        StepKind.ArgMax => LayerOpNames.Of(LayerOp.ArgMax),
        StepKind.Add => "add",
        _ => "swiglu_gate",
    };
}

/// <summary>The code paths in which a linear step computes the activation that follows it.</summary>
[System.Flags]
internal enum Fusion
{
    None = 0,

    /// <summary>In <c>Forward</c>: the layer's generated method writes both tensors (both stay observable in the Cache).</summary>
    Forward = 1,

    /// <summary>In <c>ForwardBatch</c>: the kernel's epilogue, where nothing else reads the pre-activation.</summary>
    Batch = 2,

    /// <summary>In a GPU session: the device kernel's activation, where nothing else reads the pre-activation.</summary>
    Device = 4,
}

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
