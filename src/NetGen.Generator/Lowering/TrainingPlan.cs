using NetGen.Generator.Model;

namespace NetGen.Generator.Lowering;

/// <summary>
/// A trainable network's <c>Model</c>, decided: its parameter buffer's layout, the constants it
/// keeps (batch norm's running statistics), the tensors one row of a <c>BatchCache</c> holds, the
/// steps of <c>ForwardBatch</c> (run in reverse by <c>BackwardBatch</c>), and the calls that
/// write the description back out. Emitters read it and make no choice of their own.
/// </summary>
/// <remarks>Equality contract: value equality over every member.</remarks>
/// <param name="Parameters">Every learnable tensor, in <c>ParameterNames</c> order, at its offset in the buffer.</param>
/// <param name="Constants">Tensors the model reads but does not learn.</param>
/// <param name="Tensors">The network's input, then every intermediate, each at an offset of one cached row (in floats).</param>
/// <param name="Steps">The forward steps in order.</param>
/// <param name="FloatsPerRow">One row's floats of values (and as many of gradients).</param>
/// <param name="StatisticsPerRow">One row's doubles of norm statistics.</param>
/// <param name="ScratchPerRow">One row's floats of scratch for the linear steps' forward pass (a step's input and output, transposed).</param>
/// <param name="Description">The writer's calls, in order, that give the description with the current parameters.</param>
internal sealed record TrainingPlan(
    EquatableArray<TrainingTensor> Parameters,
    EquatableArray<TrainingTensor> Constants,
    EquatableArray<CachedTensor> Tensors,
    EquatableArray<TrainingStep> Steps,
    int FloatsPerRow,
    int StatisticsPerRow,
    int ScratchPerRow,
    EquatableArray<DescriptionPart> Description)
{
    /// <summary>The name of the network's input among <see cref="Tensors"/>.</summary>
    public const string Input = NetworkPlan.Input;
}

/// <summary>
/// A parameter or a constant: <see cref="Name"/> as training names it (<c>0.weight</c>,
/// <c>3.1.running_mean</c>), at <see cref="Offset"/> in its buffer, with its initial values as
/// the description gives them (or where its weight file has them).
/// </summary>
internal sealed record TrainingTensor(string Name, int Offset, EquatableArray<int> Shape, EquatableArray<float> Values, ExternalData? External)
{
    public int Count => Shape.Count == 1 ? Shape[0] : Shape[0] * Shape[1];

    /// <summary>The C# name of its initial values (<c>P0_weight</c>, <c>C3_1_running_mean</c>).</summary>
    public string Field(string prefix) => prefix + Name.Replace('.', '_');
}

/// <summary>A tensor of a <c>BatchCache</c>: <see cref="Size"/> floats per row, at <see cref="Offset"/> floats of a row (times the cache's rows).</summary>
internal sealed record CachedTensor(string Name, int Size, int Offset);

/// <summary>
/// One step: <see cref="Inputs"/> and <see cref="Output"/> are tensor names; <see cref="Parameters"/>
/// name parameters in the kernel's order (empty string: absent), <see cref="Constants"/> constants;
/// <see cref="Accumulate"/> says, per input, whether the backward pass adds to that input's
/// gradient (a later reader wrote it first) rather than writing it.
/// </summary>
/// <param name="Layer">The layer's number in the description (from 1, <c>3.2</c> inside a residual), as the forward pass's comments and the messages write it.</param>
/// <param name="Scalar">A norm's epsilon; an argmax's choice of the last of equal values (1) or the first (0).</param>
/// <param name="StatisticsOffset">A norm's statistics, at this offset of a row's statistics.</param>
internal sealed record TrainingStep(
    StepKind Kind,
    EquatableArray<string> Inputs,
    string Output,
    EquatableArray<string> Parameters,
    EquatableArray<string> Constants,
    double Scalar,
    string Layer,
    EquatableArray<bool> Accumulate,
    ActivationOp? Function = null,
    EquatableArray<float> Arguments = default,
    int StatisticsOffset = 0);

/// <summary>One call of the description writer.</summary>
internal enum DescriptionPartKind
{
    BeginLayer,
    EndLayer,
    BeginLayers,
    EndLayers,
    Text,
    Integer,

    /// <summary>An array of integers (<see cref="DescriptionPart.Text"/>, comma-separated), as argmax's groups.</summary>
    Integers,

    /// <summary>true or false (<see cref="DescriptionPart.Text"/>), as argmax's last.</summary>
    Boolean,

    /// <summary>A double, as a norm's epsilon is read and used.</summary>
    Number,

    /// <summary>A float, as an activation's parameter is used.</summary>
    Single,

    /// <summary>A parameter's current values (<see cref="DescriptionPart.Text"/> its name).</summary>
    Parameter,

    /// <summary>A constant's values.</summary>
    Constant,
}

/// <summary>A call of the description writer: <see cref="Key"/> and a text, a number, or a tensor's name and shape.</summary>
internal sealed record DescriptionPart(DescriptionPartKind Kind, string Key = "", string Text = "", double Number = 0, int Rows = 0, int Columns = 0);
