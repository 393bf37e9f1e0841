using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using NetGen.Generator.Checking;
using NetGen.Generator.Model;

namespace NetGen.Generator.Lowering;

/// <summary>
/// Lowers a checked description to the <see cref="TrainingPlan"/> of its trainable <c>Model</c>:
/// the same graph as <c>Forward</c>, with every learnable tensor in one buffer and nothing folded
/// (batch norm keeps its weight and bias apart from its running statistics, which stay constant).
/// </summary>
internal sealed class TrainingPlanner
{
    private readonly List<TrainingTensor> _parameters = new();
    private readonly List<TrainingTensor> _constants = new();
    private readonly List<CachedTensor> _tensors = new();
    private readonly List<TrainingStep> _steps = new();
    private readonly List<DescriptionPart> _description = new();
    private readonly EquatableArray<int> _inputSizes;
    private readonly EquatableArray<InputPart> _parts;
    private readonly CancellationToken _cancellationToken;
    private int _layer;
    private int _parameterCount;
    private int _constantCount;
    private int _floatsPerRow;
    private int _statisticsPerRow;
    private int _scratchPerRow;

    private TrainingPlanner(EquatableArray<int> inputSizes, EquatableArray<InputPart> parts, CancellationToken cancellationToken)
    {
        _parts = parts;
        _inputSizes = inputSizes;
        _cancellationToken = cancellationToken;
    }

    public static TrainingPlan Plan(CheckedNetwork network, CancellationToken cancellationToken)
    {
        var planner = new TrainingPlanner(network.InputSizes, network.Spec.Inputs, cancellationToken);
        planner.AddTensor(TrainingPlan.Input, network.Spec.InputSize);
        planner.PlanLayers(network.Spec.Layers, TrainingPlan.Input, parentNumber: null, parentIndex: null, parentStage: null);
        return new TrainingPlan(
            planner._parameters.ToEquatableArray(),
            planner._constants.ToEquatableArray(),
            planner._tensors.ToEquatableArray(),
            Accumulations(planner._steps).ToEquatableArray(),
            planner._floatsPerRow,
            planner._statisticsPerRow,
            planner._scratchPerRow,
            planner._description.ToEquatableArray());
    }

    /// <summary>
    /// Which input gradients the backward pass adds to: steps run in reverse, and the first
    /// of them to reach a tensor (its last reader in the forward order) writes its gradient;
    /// every later one adds. Only a residual block's input, which its first inner layer and its
    /// sum both read, has more than one.
    /// </summary>
    private static IEnumerable<TrainingStep> Accumulations(List<TrainingStep> steps)
    {
        var written = new HashSet<string>(System.StringComparer.Ordinal);
        var result = new TrainingStep[steps.Count];
        for (int s = steps.Count - 1; s >= 0; s--)
        {
            var accumulate = new bool[steps[s].Inputs.Count];
            for (int i = 0; i < accumulate.Length; i++)
            {
                accumulate[i] = !written.Add(steps[s].Inputs[i]);
            }

            result[s] = steps[s] with { Accumulate = new EquatableArray<bool>(accumulate) };
        }

        return result;
    }

    /// <param name="layers">The sequence.</param>
    /// <param name="input">Its input tensor.</param>
    /// <param name="parentNumber">The enclosing residual's number as parameter names write it (from 0), or null.</param>
    /// <param name="parentIndex">Its number as the description's messages and comments write it (from 1), or null.</param>
    /// <param name="parentStage">Its stage label, for tensor names.</param>
    private string PlanLayers(EquatableArray<LayerSpec> layers, string input, string? parentNumber, string? parentIndex, string? parentStage)
    {
        string[] stages = TensorNames.Stages(layers, parentStage);
        for (int i = 0; i < layers.Count; i++)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            string number = (parentNumber is null ? string.Empty : parentNumber + ".") + i.ToString(CultureInfo.InvariantCulture);
            input = PlanLayer(layers[i], input, _inputSizes[_layer++], number, TensorNames.Index(parentIndex, i + 1), stages[i]);
        }

        return input;
    }

    /// <param name="number">The layer's number in parameter names (<c>3.1</c>).</param>
    /// <param name="index">The layer's number in comments (<c>4.2</c>), as the forward pass's.</param>
    private string PlanLayer(LayerSpec layer, string input, int size, string number, string index, string stage)
    {
        string output = TensorNames.Output(layer, stage);
        switch (layer)
        {
            case LinearSpec linear:
            {
                Begin("linear", layer);
                Part(DescriptionPartKind.Integer, "out", number: linear.Out);
                string z = linear.Activation is null ? output : TensorNames.PreActivation(linear, stage);
                string weight = AddParameter(number, "weight", linear.Weight);
                string bias = linear.Bias is null ? string.Empty : AddParameter(number, "bias", linear.Bias);
                if (linear.Activation is not null)
                {
                    Part(DescriptionPartKind.Text, "activation", LayerOpNames.Of(linear.Activation));
                }

                _description.Add(new DescriptionPart(DescriptionPartKind.EndLayer));
                AddTensor(z, linear.Out);
                AddLinear(input, z, weight, bias, index, size, linear.Out);
                if (linear.Activation is not null)
                {
                    AddTensor(output, linear.Out);
                    AddStep(StepKind.Activation, new[] { z }, output, index, function: linear.Activation.Function, arguments: linear.Activation.Arguments);
                }

                return output;
            }

            case ActivationSpec activation:
            {
                Begin(activation.Form.JsonName, layer);
                foreach (var parameter in activation.Parameters)
                {
                    Part(DescriptionPartKind.Single, parameter.Key, number: (float)parameter.Value);
                }

                if (activation.Form.Variant is { AttributeValue: true } variant)
                {
                    Part(DescriptionPartKind.Text, variant.Key, variant.Value);
                }

                _description.Add(new DescriptionPart(DescriptionPartKind.EndLayer));
                AddTensor(output, size);
                AddStep(StepKind.Activation, new[] { input }, output, index, function: activation.Function, arguments: activation.Arguments);
                return output;
            }

            case NormSpec norm:
            {
                Begin(LayerOpNames.Of(norm.Op), layer);
                Part(DescriptionPartKind.Number, "eps", number: norm.Epsilon.Value);
                string mean = string.Empty, variance = string.Empty;
                if (norm.Op == LayerOp.BatchNorm)
                {
                    mean = AddConstant(number, "running_mean", norm.RunningMean!);
                    variance = AddConstant(number, "running_var", norm.RunningVar!);
                }

                string weight = norm.Weight is null ? string.Empty : AddParameter(number, "weight", norm.Weight);
                string bias = norm.Bias is null || norm.Op == LayerOp.RmsNorm ? string.Empty : AddParameter(number, "bias", norm.Bias);
                _description.Add(new DescriptionPart(DescriptionPartKind.EndLayer));
                AddTensor(output, size);
                var kind = norm.Op switch
                {
                    LayerOp.LayerNorm => StepKind.LayerNorm,
                    LayerOp.RmsNorm => StepKind.RmsNorm,
                    _ => StepKind.BatchNorm,
                };
                int statistics = kind switch
                {
                    StepKind.LayerNorm => 2,
                    StepKind.RmsNorm => 1,
                    _ => 0,
                };
                _steps.Add(new TrainingStep(
                    kind,
                    new EquatableArray<string>(new[] { input }),
                    output,
                    new EquatableArray<string>(new[] { weight, bias }),
                    new EquatableArray<string>(new[] { mean, variance }),
                    norm.Epsilon.Value,
                    index,
                    EquatableArray<bool>.Empty,
                    StatisticsOffset: _statisticsPerRow));
                _statisticsPerRow += statistics;
                return output;
            }

            case SliceSpec slice:
            {
                Begin("slice", layer);
                Part(DescriptionPartKind.Integer, "start", number: slice.Start);
                if (slice.End is { } end)
                {
                    Part(DescriptionPartKind.Integer, "end", number: end);
                }

                _description.Add(new DescriptionPart(DescriptionPartKind.EndLayer));
                AddTensor(output, (slice.End ?? size) - slice.Start);
                AddStep(StepKind.Slice, new[] { input }, output, index, arguments: new EquatableArray<float>(new float[] { slice.Start }));
                return output;
            }

            case MaskSpec mask:
            {
                Begin("mask", layer);
                if (mask.Input is not null)
                {
                    Part(DescriptionPartKind.Text, "input", mask.Input);
                }

                Part(DescriptionPartKind.Integer, "start", number: mask.Start);
                Part(DescriptionPartKind.Single, "fill", number: mask.Fill);
                _description.Add(new DescriptionPart(DescriptionPartKind.EndLayer));
                AddTensor(output, size);
                AddStep(StepKind.Mask, new[] { input, TrainingPlan.Input }, output, index, arguments: new EquatableArray<float>(new float[] { mask.InputOffset(_parts), mask.Fill }));
                return output;
            }

            case ArgMaxSpec argmax:
            {
                Begin("argmax", layer);
                if (argmax.Groups.Count > 0)
                {
                    Part(DescriptionPartKind.Integers, "groups", string.Join(", ", argmax.Groups.Select(g => g.ToString(CultureInfo.InvariantCulture))));
                }

                if (argmax.Last)
                {
                    Part(DescriptionPartKind.Boolean, "last", "true");
                }

                _description.Add(new DescriptionPart(DescriptionPartKind.EndLayer));
                var groups = argmax.Groups.Count == 0 ? new[] { size } : argmax.Groups.ToArray();
                AddTensor(output, groups.Length);
                AddStep(StepKind.ArgMax, new[] { input }, output, index, arguments: new EquatableArray<float>(groups.Select(g => (float)g).ToArray()), scalar: argmax.Last ? 1 : 0);
                return output;
            }

            case AffineSpec affine:
            {
                // Constants, spread over the features as inference has them; ToDescription writes
                // what was given (a scalar as its vector, which means the same).
                Begin("affine", layer);
                string scale = AddConstant(number, "scale", NetworkPlanner.Spread(affine.Scale, size, 1f), describe: affine.Scale is not null);
                string shift = AddConstant(number, "shift", NetworkPlanner.Spread(affine.Shift, size, 0f), describe: affine.Shift is not null);
                _description.Add(new DescriptionPart(DescriptionPartKind.EndLayer));
                AddTensor(output, size);
                _steps.Add(new TrainingStep(
                    StepKind.Affine,
                    new EquatableArray<string>(new[] { input }),
                    output,
                    new EquatableArray<string>(new[] { string.Empty, string.Empty }),
                    new EquatableArray<string>(new[] { scale, shift }),
                    0,
                    index,
                    EquatableArray<bool>.Empty));
                return output;
            }

            case ResidualSpec residual:
            {
                Begin("residual", layer);
                _description.Add(new DescriptionPart(DescriptionPartKind.BeginLayers, "layers"));
                string inner = PlanLayers(residual.Layers, input, number, index, stage);
                _description.Add(new DescriptionPart(DescriptionPartKind.EndLayers));
                _description.Add(new DescriptionPart(DescriptionPartKind.EndLayer));
                AddTensor(output, size);
                AddStep(StepKind.Add, new[] { input, inner }, output, index);
                return output;
            }

            case SwiGluSpec swiglu:
            {
                Begin("swiglu", layer);
                Part(DescriptionPartKind.Integer, "hidden", number: swiglu.Hidden);
                if (swiglu.Out is { } written)
                {
                    Part(DescriptionPartKind.Integer, "out", number: written);
                }

                string gateWeight = AddParameter(number, "gate", swiglu.Gate);
                string upWeight = AddParameter(number, "up", swiglu.Up);
                string downWeight = AddParameter(number, "down", swiglu.Down);
                _description.Add(new DescriptionPart(DescriptionPartKind.EndLayer));
                int hidden = swiglu.Hidden, outSize = swiglu.Out ?? size;
                string gate = TensorNames.SwiGluGate(output), up = TensorNames.SwiGluUp(output), h = TensorNames.SwiGluHidden(output);
                AddTensor(gate, hidden);
                AddTensor(up, hidden);
                AddTensor(h, hidden);
                AddTensor(output, outSize);
                AddLinear(input, gate, gateWeight, string.Empty, index, size, hidden);
                AddLinear(input, up, upWeight, string.Empty, index, size, hidden);
                AddStep(StepKind.SwiGluGate, new[] { gate, up }, h, index);
                AddLinear(h, output, downWeight, string.Empty, index, hidden, outSize);
                return output;
            }

            default:
                throw new System.InvalidOperationException("Every layer record is handled above.");
        }
    }

    private void Begin(string op, LayerSpec layer)
    {
        _description.Add(new DescriptionPart(DescriptionPartKind.BeginLayer, Text: op));
        if (layer.Name is not null)
        {
            Part(DescriptionPartKind.Text, "name", layer.Name);
        }
    }

    private void Part(DescriptionPartKind kind, string key, string text = "", double number = 0) =>
        _description.Add(new DescriptionPart(kind, key, text, number));

    private string AddParameter(string number, string key, TensorSpec tensor)
    {
        var added = new TrainingTensor(number + "." + key, _parameterCount, tensor.Shape, tensor.Values, tensor.External);
        _parameters.Add(added);
        _parameterCount = checked(_parameterCount + added.Count);
        _description.Add(new DescriptionPart(DescriptionPartKind.Parameter, key, added.Name, Rows: tensor.Shape[0], Columns: tensor.Shape.Count == 2 ? tensor.Shape[1] : 0));
        return added.Name;
    }

    /// <param name="describe">Whether <c>ToDescription</c> writes it (an affine layer's absent scale or shift is not written).</param>
    private string AddConstant(string number, string key, TensorSpec tensor, bool describe = true)
    {
        var added = new TrainingTensor(number + "." + key, _constantCount, tensor.Shape, tensor.Values, tensor.External);
        _constants.Add(added);
        _constantCount = checked(_constantCount + added.Count);
        if (describe)
        {
            _description.Add(new DescriptionPart(DescriptionPartKind.Constant, key, added.Name, Rows: tensor.Shape[0]));
        }

        return added.Name;
    }

    private void AddTensor(string name, int size)
    {
        _tensors.Add(new CachedTensor(name, size, _floatsPerRow));
        _floatsPerRow = checked(_floatsPerRow + size);
    }

    private void AddLinear(string input, string output, string weight, string bias, string index, int columns, int rows)
    {
        // The forward pass transposes the step's input and output in scratch (Gradients.LinearForward).
        _scratchPerRow = System.Math.Max(_scratchPerRow, checked(columns + rows));
        _steps.Add(new TrainingStep(
            StepKind.Linear,
            new EquatableArray<string>(new[] { input }),
            output,
            new EquatableArray<string>(new[] { weight, bias }),
            EquatableArray<string>.Empty,
            0,
            index,
            EquatableArray<bool>.Empty));
    }

    private void AddStep(StepKind kind, string[] inputs, string output, string index, ActivationOp? function = null, EquatableArray<float> arguments = default, double scalar = 0) =>
        _steps.Add(new TrainingStep(kind, new EquatableArray<string>(inputs), output, EquatableArray<string>.Empty, EquatableArray<string>.Empty, scalar, index, EquatableArray<bool>.Empty, function, arguments));
}
